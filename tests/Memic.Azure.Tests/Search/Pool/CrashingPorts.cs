using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Tenancy;

namespace Memic.Azure.Tests.Search.Pool;

/// <summary>The tenancy catalog, dying after the default folder is written or just before the environment turns ready.</summary>
internal sealed class CrashingTenancyCatalog(ITenancyCatalog inner, CrashSwitch crash) : ITenancyCatalog
{
    public async Task AddFolderAsync(Folder folder, CancellationToken cancellationToken)
    {
        await inner.AddFolderAsync(folder, cancellationToken);
        crash.At("default folder");
    }

    public Task SetEnvironmentStatusAsync(Guid id, EnvironmentStatus status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (status == EnvironmentStatus.Ready)
        {
            crash.At("ready");
        }

        return inner.SetEnvironmentStatusAsync(id, status, at, cancellationToken);
    }

    public Task SetEnvironmentExpiryAsync(Guid id, DateTimeOffset? expiresAt, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.SetEnvironmentExpiryAsync(id, expiresAt, at, cancellationToken);

    public Task AddOrganizationAsync(Organization organization, bool isDefault, CancellationToken cancellationToken) => inner.AddOrganizationAsync(organization, isDefault, cancellationToken);

    public Task<Organization?> GetOrganizationAsync(Guid id, CancellationToken cancellationToken) => inner.GetOrganizationAsync(id, cancellationToken);

    public Task<Organization?> GetDefaultOrganizationAsync(CancellationToken cancellationToken) => inner.GetDefaultOrganizationAsync(cancellationToken);

    public Task AddProjectAsync(Project project, bool isDefault, CancellationToken cancellationToken) => inner.AddProjectAsync(project, isDefault, cancellationToken);

    public Task<Project?> GetProjectAsync(Guid id, CancellationToken cancellationToken) => inner.GetProjectAsync(id, cancellationToken);

    public Task<Project?> GetDefaultProjectAsync(CancellationToken cancellationToken) => inner.GetDefaultProjectAsync(cancellationToken);

    public Task<IReadOnlyList<Project>> ListProjectsAsync(Guid organizationId, CancellationToken cancellationToken) => inner.ListProjectsAsync(organizationId, cancellationToken);

    public Task AddEnvironmentAsync(MemicEnvironment environment, CancellationToken cancellationToken) => inner.AddEnvironmentAsync(environment, cancellationToken);

    public Task<MemicEnvironment?> GetEnvironmentAsync(Guid id, CancellationToken cancellationToken) => inner.GetEnvironmentAsync(id, cancellationToken);

    public Task<MemicEnvironment?> FindEnvironmentAsync(Guid projectId, string slug, CancellationToken cancellationToken) => inner.FindEnvironmentAsync(projectId, slug, cancellationToken);

    public Task<IReadOnlyList<MemicEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken) => inner.ListEnvironmentsAsync(cancellationToken);

    public Task RemoveEnvironmentAsync(Guid id, CancellationToken cancellationToken) => inner.RemoveEnvironmentAsync(id, cancellationToken);

    public Task<IReadOnlyList<Folder>> ListFoldersAsync(Guid environmentId, CancellationToken cancellationToken) => inner.ListFoldersAsync(environmentId, cancellationToken);
}

/// <summary>The key store, dying before the first key's binding is written (its catalog row already is).</summary>
internal sealed class CrashingKeyStore(IApiKeyStore inner, CrashSwitch crash) : IApiKeyStore
{
    public Task PutAsync(ApiKeyBinding binding, CancellationToken cancellationToken)
    {
        crash.At("first key");
        return inner.PutAsync(binding, cancellationToken);
    }

    public Task<ApiKeyBinding?> FindAsync(byte[] keyHash, CancellationToken cancellationToken) => inner.FindAsync(keyHash, cancellationToken);

    public Task DeleteAsync(byte[] keyHash, CancellationToken cancellationToken) => inner.DeleteAsync(keyHash, cancellationToken);
}
