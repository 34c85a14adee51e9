using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Users;
using Microsoft.Extensions.Options;

namespace Memic.Core.Tenancy;

/// <summary>What first-run setup created and must be shown once: null members were not created by this run.</summary>
public sealed record FirstRunResult(string? GeneratedAdminKey, CreatedEnvironment? DefaultEnvironment, string? GeneratedOwnerPassword = null);

/// <summary>
/// On first start against an empty data dir: the default organization, project and <c>production</c> environment,
/// an admin key unless one is configured, and the owner <c>owner@localhost</c> of the default organization. Safe to run on every start: it completes a first run that
/// crashed and otherwise creates nothing.
/// </summary>
public sealed class FirstRunSetup(
    ITenancyCatalog catalog,
    IHostSettingsCatalog settings,
    AdminKeyService adminKeys,
    EnvironmentService environments,
    UserService users,
    IOptions<SessionOptions> sessionOptions,
    TimeProvider time)
{
    public const string DefaultOrganizationName = "Default Organization";
    public const string DefaultProjectName = "Default Project";
    public const string DefaultEnvironmentSlug = "production";
    private const string CompletedSetting = "first_run_completed_at";

    public async Task<FirstRunResult> EnsureAsync(CancellationToken cancellationToken)
    {
        var adminKey = (await adminKeys.EnsureAsync(cancellationToken))?.PlaintextKey;

        // Before the completed check, so a data directory from before users existed gets its owner too.
        await EnsureDefaultProjectAsync(cancellationToken);
        var organization = await catalog.GetDefaultOrganizationAsync(cancellationToken)
                           ?? throw new InvalidOperationException("The default organization vanished right after it was ensured.");
        var ownerPassword = await users.EnsureLocalOwnerAsync(organization.Id, sessionOptions.Value.OwnerPassword, cancellationToken);
        if (await settings.GetSettingAsync(CompletedSetting, cancellationToken) is not null)
        {
            return new FirstRunResult(adminKey, null, ownerPassword);
        }

        var created = await environments.CreateAsync(DefaultEnvironmentSlug, DefaultEnvironmentSlug, projectId: null, cancellationToken);
        await settings.SetSettingAsync(CompletedSetting, time.GetUtcNow().ToString("O"), cancellationToken);
        return new FirstRunResult(adminKey, created, ownerPassword);
    }

    /// <summary>
    /// The default organization and project that requests naming none fall back to (e.g. creating an environment with
    /// only a slug). Idempotent; hosts that cannot show a generated key once (the Functions app) run only this part.
    /// </summary>
    public async Task EnsureDefaultProjectAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var organization = await catalog.GetDefaultOrganizationAsync(cancellationToken);
        if (organization is null)
        {
            try
            {
                await catalog.AddOrganizationAsync(new Organization(Guid.NewGuid(), DefaultOrganizationName, now), isDefault: true, cancellationToken);
            }
            catch (ConflictException)
            {
                // Another instance starting at the same time made it first; theirs is the default.
            }

            organization = await catalog.GetDefaultOrganizationAsync(cancellationToken)
                           ?? throw new InvalidOperationException("The default organization vanished right after it was created.");
        }

        if (await catalog.GetDefaultProjectAsync(cancellationToken) is null)
        {
            try
            {
                await catalog.AddProjectAsync(new Project(Guid.NewGuid(), DefaultProjectName, organization.Id, true, now, now), isDefault: true, cancellationToken);
            }
            catch (ConflictException)
            {
                // As above: a concurrent start already made the default project.
            }
        }
    }
}
