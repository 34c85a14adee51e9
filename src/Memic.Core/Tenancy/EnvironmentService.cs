using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Memic.Core.Tenancy;

/// <summary>
/// A created environment and the plaintext of its first key. When <see cref="IsReady"/> is false the environment is
/// still provisioning in the background: the key is already bound to it but works only once it is ready.
/// </summary>
public sealed record CreatedEnvironment(MemicEnvironment Environment, IssuedApiKey FirstKey)
{
    public bool IsReady => Environment.Status == EnvironmentStatus.Ready;
}

/// <summary>
/// Creates and deletes environments as resumable state machines (CONTRACT §10): a create that crashed
/// halfway is completed by retrying it, a delete likewise, and an environment serves requests only once ready.
/// A create whose resources take minutes (a search service to deploy) answers at once with the environment
/// provisioning and its first key issued, and <see cref="IProvisioningQueue"/> finishes it in the background.
/// </summary>
public sealed class EnvironmentService(
    ITenancyCatalog catalog,
    IKeyCatalog keys,
    ApiKeyService keyService,
    ApiKeyVerifier verifier,
    IEnumerable<IEnvironmentResources> resources,
    IProvisioningQueue background,
    TimeProvider time,
    ILogger<EnvironmentService> logger)
{
    public const string DefaultFolderName = "default";
    public const string FirstKeyName = "default";

    public Task<CreatedEnvironment> CreateAsync(string? slug, string? name, Guid? projectId, CancellationToken cancellationToken) =>
        CreateAsync(slug, name, projectId, expiresAt: null, cancellationToken);

    /// <param name="expiresAt">When it expires (CONTRACT §16), from <see cref="EnvironmentLifetime.ExpiryFrom"/>; null = never.</param>
    public async Task<CreatedEnvironment> CreateAsync(string? slug, string? name, Guid? projectId, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        if (EnvironmentSlug.Check(slug) is { } slugError)
        {
            throw new ValidationException([slugError]);
        }

        var validName = InputRules.OptionalName(name, "name") ?? slug!;
        var project = projectId is { } id
            ? await catalog.GetProjectAsync(id, cancellationToken) ?? throw NotFoundException.Resource("Project", id)
            : await catalog.GetDefaultProjectAsync(cancellationToken)
              ?? throw new NotFoundException(ErrorCodes.NotFound, "There is no default project; name one with project_id.");

        var environment = await catalog.FindEnvironmentAsync(project.Id, slug!, cancellationToken);
        if (environment is { Status: EnvironmentStatus.Ready or EnvironmentStatus.Deleting })
        {
            throw new ConflictException(ErrorCodes.Conflict, $"An environment with slug '{slug}' already exists in this project.");
        }

        if (environment is null)
        {
            var now = time.GetUtcNow();
            environment = new MemicEnvironment(Guid.NewGuid(), slug!, validName, project.Id, project.OrganizationId, EnvironmentStatus.Provisioning, now, now)
            {
                ExpiresAt = expiresAt,
            };
            await catalog.AddEnvironmentAsync(environment, cancellationToken);
            logger.LogInformation("Provisioning environment {EnvironmentId} ({Slug})", environment.Id, environment.Slug);
        }
        else
        {
            logger.LogInformation("Resuming provisioning of environment {EnvironmentId} ({Slug}) left {Status}", environment.Id, environment.Slug, environment.Status);
        }

        return await IsSlowToProvisionAsync(environment, cancellationToken)
            ? await ProvisionInBackgroundAsync(environment, cancellationToken)
            : await ProvisionAsync(environment, cancellationToken);
    }

    /// <summary>
    /// Finishes an environment handed to the background by <see cref="CreateAsync"/>; its first key was already issued
    /// and is kept. Idempotent: an environment no longer provisioning (ready, failed, deleting, gone) is left alone.
    /// Transient failures propagate so the queue retries.
    /// </summary>
    public async Task CompleteProvisioningAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var environment = await catalog.GetEnvironmentAsync(environmentId, cancellationToken);
        if (environment is not { Status: EnvironmentStatus.Provisioning })
        {
            logger.LogInformation("Background provisioning of environment {EnvironmentId} skipped: it is {Status}", environmentId, environment?.Status.ToString() ?? "gone");
            return;
        }

        await RunProvisioningAsync(environment, issueFirstKey: false, cancellationToken);
    }

    /// <summary>Renews (a new expiry) or clears (null) an environment's lifetime; its keys' cached checks are dropped here.</summary>
    public async Task<MemicEnvironment> SetExpiryAsync(Guid id, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        var environment = await GetAsync(id, cancellationToken);
        if (environment.Status == EnvironmentStatus.Deleting)
        {
            throw new ConflictException(ErrorCodes.Conflict, "The environment is being deleted.");
        }

        var now = time.GetUtcNow();
        await catalog.SetEnvironmentExpiryAsync(id, expiresAt, now, cancellationToken);
        verifier.ForgetEnvironment(id);
        logger.LogInformation("Environment {EnvironmentId} now expires at {ExpiresAt}", id, expiresAt?.ToString("O") ?? "never");
        return environment with { ExpiresAt = expiresAt, UpdatedAt = now };
    }

    public async Task<MemicEnvironment> GetAsync(Guid id, CancellationToken cancellationToken) =>
        await catalog.GetEnvironmentAsync(id, cancellationToken) ?? throw NotFoundException.Resource("Environment", id);

    public Task<IReadOnlyList<MemicEnvironment>> ListAsync(CancellationToken cancellationToken) =>
        catalog.ListEnvironmentsAsync(cancellationToken);

    /// <summary>Deletes an environment and everything in it; re-running it after a crash finishes the job.</summary>
    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var environment = await GetAsync(id, cancellationToken);
        await catalog.SetEnvironmentStatusAsync(id, EnvironmentStatus.Deleting, time.GetUtcNow(), cancellationToken);
        verifier.ForgetEnvironment(id);

        foreach (var key in await keys.ListKeysAsync(id, cancellationToken))
        {
            await keyService.RevokeAsync(key, cancellationToken);
        }

        foreach (var resource in resources)
        {
            await resource.DeleteAsync(id, cancellationToken);
        }

        await catalog.RemoveEnvironmentAsync(id, cancellationToken);
        logger.LogInformation("Deleted environment {EnvironmentId} ({Slug})", id, environment.Slug);
    }

    private async Task<CreatedEnvironment> ProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken) =>
        await RunProvisioningAsync(environment, issueFirstKey: true, cancellationToken)
        ?? throw new InvalidOperationException("Provisioning issued no first key.");

    /// <summary>
    /// Issues the first key now and leaves the slow resources to the background. The key is bound to an environment that
    /// is not ready, so it works from the moment the environment is. A repeated create replaces the key, as any retry does.
    /// </summary>
    private async Task<CreatedEnvironment> ProvisionInBackgroundAsync(MemicEnvironment environment, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureDefaultFolderAsync(environment, cancellationToken);
            var firstKey = await IssueFirstKeyAsync(environment, cancellationToken);
            await background.EnqueueAsync(environment.Id, cancellationToken);
            logger.LogInformation("Environment {EnvironmentId} ({Slug}) continues provisioning in the background", environment.Id, environment.Slug);
            return new CreatedEnvironment(environment, firstKey);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not TransientException)
        {
            logger.LogError(ex, "Provisioning environment {EnvironmentId} failed", environment.Id);
            await catalog.SetEnvironmentStatusAsync(environment.Id, EnvironmentStatus.Failed, time.GetUtcNow(), CancellationToken.None);
            throw;
        }
    }

    private async Task<CreatedEnvironment?> RunProvisioningAsync(MemicEnvironment environment, bool issueFirstKey, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureDefaultFolderAsync(environment, cancellationToken);
            foreach (var resource in resources)
            {
                await resource.ProvisionAsync(environment, cancellationToken);
            }

            var firstKey = issueFirstKey ? await IssueFirstKeyAsync(environment, cancellationToken) : null;
            var readyAt = time.GetUtcNow();
            await catalog.SetEnvironmentStatusAsync(environment.Id, EnvironmentStatus.Ready, readyAt, cancellationToken);
            logger.LogInformation("Environment {EnvironmentId} ({Slug}) is ready", environment.Id, environment.Slug);
            return firstKey is null ? null : new CreatedEnvironment(environment with { Status = EnvironmentStatus.Ready, UpdatedAt = readyAt }, firstKey);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not TransientException)
        {
            logger.LogError(ex, "Provisioning environment {EnvironmentId} failed", environment.Id);
            await catalog.SetEnvironmentStatusAsync(environment.Id, EnvironmentStatus.Failed, time.GetUtcNow(), CancellationToken.None);
            throw;
        }
    }

    /// <summary>Keys issued by an attempt that crashed were never shown to anyone: revoke them, then issue the one we return.</summary>
    private async Task<IssuedApiKey> IssueFirstKeyAsync(MemicEnvironment environment, CancellationToken cancellationToken)
    {
        foreach (var unseen in await keys.ListKeysAsync(environment.Id, cancellationToken))
        {
            await keyService.RevokeAsync(unseen, cancellationToken);
        }

        return await keyService.IssueAsync(environment.Id, FirstKeyName, cancellationToken);
    }

    private async Task<bool> IsSlowToProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken)
    {
        foreach (var resource in resources)
        {
            if (await resource.IsSlowToProvisionAsync(environment, cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    private async Task EnsureDefaultFolderAsync(MemicEnvironment environment, CancellationToken cancellationToken)
    {
        var folders = await catalog.ListFoldersAsync(environment.Id, cancellationToken);
        if (!folders.Any(f => f.IsDefault))
        {
            await catalog.AddFolderAsync(new Folder(Guid.NewGuid(), environment.Id, DefaultFolderName, IsDefault: true, time.GetUtcNow()), cancellationToken);
        }
    }
}
