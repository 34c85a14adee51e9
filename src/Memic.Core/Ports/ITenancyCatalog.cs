using Memic.Core.Tenancy;

namespace Memic.Core.Ports;

/// <summary>
/// The catalog's tenancy part: organizations, projects, environments and folders.
/// Adapters translate their storage errors into <see cref="Errors.MemicException"/> kinds
/// (a uniqueness violation becomes a <see cref="Errors.ConflictException"/>).
/// </summary>
public interface ITenancyCatalog
{
    Task AddOrganizationAsync(Organization organization, bool isDefault, CancellationToken cancellationToken);

    Task<Organization?> GetOrganizationAsync(Guid id, CancellationToken cancellationToken);

    Task<Organization?> GetDefaultOrganizationAsync(CancellationToken cancellationToken);

    Task AddProjectAsync(Project project, bool isDefault, CancellationToken cancellationToken);

    Task<Project?> GetProjectAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>The default project of the default organization, used when a request names none.</summary>
    Task<Project?> GetDefaultProjectAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<Project>> ListProjectsAsync(Guid organizationId, CancellationToken cancellationToken);

    /// <summary>Adds an environment; a slug already used in the project is a conflict.</summary>
    Task AddEnvironmentAsync(MemicEnvironment environment, CancellationToken cancellationToken);

    Task<MemicEnvironment?> GetEnvironmentAsync(Guid id, CancellationToken cancellationToken);

    Task<MemicEnvironment?> FindEnvironmentAsync(Guid projectId, string slug, CancellationToken cancellationToken);

    Task<IReadOnlyList<MemicEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken);

    /// <summary>Sets or clears (null) when the environment expires.</summary>
    Task SetEnvironmentExpiryAsync(Guid id, DateTimeOffset? expiresAt, DateTimeOffset at, CancellationToken cancellationToken);

    Task SetEnvironmentStatusAsync(Guid id, EnvironmentStatus status, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Removes the environment row and every catalog row that belongs to it. Idempotent.</summary>
    Task RemoveEnvironmentAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Adds a folder; a name already used in the environment is a conflict.</summary>
    Task AddFolderAsync(Folder folder, CancellationToken cancellationToken);

    Task<IReadOnlyList<Folder>> ListFoldersAsync(Guid environmentId, CancellationToken cancellationToken);
}

/// <summary>Small named values the host keeps about itself (e.g. when first-run setup completed).</summary>
public interface IHostSettingsCatalog
{
    Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken);

    Task SetSettingAsync(string name, string value, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="value"/> unless the setting exists, and returns the stored value either way.</summary>
    Task<string> GetOrAddSettingAsync(string name, string value, CancellationToken cancellationToken);
}
