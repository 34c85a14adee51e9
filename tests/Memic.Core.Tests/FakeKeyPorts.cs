using System.Collections.Concurrent;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Tenancy;

namespace Memic.Core.Tests;

/// <summary>A key store that counts lookups and can hold them at a gate, to observe the verifier's caching.</summary>
internal sealed class CountingKeyStore : IApiKeyStore
{
    private readonly ConcurrentDictionary<string, ApiKeyBinding> _bindings = new();
    private int _lookups;

    public int Lookups => Volatile.Read(ref _lookups);

    public TaskCompletionSource? Gate { get; set; }

    public Task PutAsync(ApiKeyBinding binding, CancellationToken cancellationToken)
    {
        _bindings[Convert.ToHexString(binding.KeyHash)] = binding;
        return Task.CompletedTask;
    }

    public async Task<ApiKeyBinding?> FindAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        return _bindings.GetValueOrDefault(Convert.ToHexString(keyHash));
    }

    public Task DeleteAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        _bindings.TryRemove(Convert.ToHexString(keyHash), out _);
        return Task.CompletedTask;
    }
}

/// <summary>Just enough catalog for the verifier: one organization, one project, environments by id.</summary>
internal sealed class SingleProjectCatalog : ITenancyCatalog, IKeyCatalog
{
    public Organization Organization { get; } = new(Guid.NewGuid(), "Org", DateTimeOffset.UnixEpoch);

    public Project Project { get; }

    public ConcurrentDictionary<Guid, MemicEnvironment> Environments { get; } = new();

    public ConcurrentDictionary<Guid, DateTimeOffset> LastUsed { get; } = new();

    public SingleProjectCatalog() => Project = new(Guid.NewGuid(), "Project", Organization.Id, true, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    public MemicEnvironment AddReadyEnvironment(string slug)
    {
        var environment = new MemicEnvironment(Guid.NewGuid(), slug, slug, Project.Id, Organization.Id, EnvironmentStatus.Ready, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        Environments[environment.Id] = environment;
        return environment;
    }

    public Task<MemicEnvironment?> GetEnvironmentAsync(Guid id, CancellationToken cancellationToken) => Task.FromResult(Environments.GetValueOrDefault(id));

    public Task<Project?> GetProjectAsync(Guid id, CancellationToken cancellationToken) => Task.FromResult(id == Project.Id ? Project : null);

    public Task<Organization?> GetOrganizationAsync(Guid id, CancellationToken cancellationToken) => Task.FromResult(id == Organization.Id ? Organization : null);

    public Task MarkKeyUsedAsync(Guid keyId, DateTimeOffset usedAt, CancellationToken cancellationToken)
    {
        LastUsed[keyId] = usedAt;
        return Task.CompletedTask;
    }

    public Task SetEnvironmentStatusAsync(Guid id, EnvironmentStatus status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Environments[id] = Environments[id] with { Status = status, UpdatedAt = at };
        return Task.CompletedTask;
    }

    public Task SetEnvironmentExpiryAsync(Guid id, DateTimeOffset? expiresAt, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Environments[id] = Environments[id] with { ExpiresAt = expiresAt, UpdatedAt = at };
        return Task.CompletedTask;
    }

    // The verifier needs none of the rest.
    public Task AddOrganizationAsync(Organization organization, bool isDefault, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<Organization?> GetDefaultOrganizationAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task AddProjectAsync(Project project, bool isDefault, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<Project?> GetDefaultProjectAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<Project>> ListProjectsAsync(Guid organizationId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task AddEnvironmentAsync(MemicEnvironment environment, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<MemicEnvironment?> FindEnvironmentAsync(Guid projectId, string slug, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<MemicEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task RemoveEnvironmentAsync(Guid id, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task AddFolderAsync(Folder folder, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<Folder>> ListFoldersAsync(Guid environmentId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<ApiKeyRecord?> GetKeyAsync(Guid keyId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(Guid environmentId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task RemoveKeyAsync(Guid keyId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<ApiKeyRecord?> GetGeneratedAdminKeyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task SetGeneratedAdminKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) => throw new NotSupportedException();
}
