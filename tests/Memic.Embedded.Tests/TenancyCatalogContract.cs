using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Core.Users;

namespace Memic.Embedded.Tests;

/// <summary>
/// What every catalog adapter must do, whatever stores it. Each adapter's test class derives from this
/// and supplies a fresh, empty catalog.
/// </summary>
public abstract class TenancyCatalogContract
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A catalog over empty storage. Calling it twice with the same <paramref name="storageName"/> reopens the same storage.</summary>
    protected abstract (ITenancyCatalog Tenancy, IKeyCatalog Keys, IHostSettingsCatalog Settings) OpenCatalog(string storageName = "main");

    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 17, 31, 0, TimeSpan.Zero);

    private async Task<(ITenancyCatalog Catalog, Organization Organization, Project Project)> SeedAsync()
    {
        var (catalog, _, _) = OpenCatalog();
        var organization = new Organization(Guid.NewGuid(), "Acme", T0);
        await catalog.AddOrganizationAsync(organization, isDefault: true, Ct);
        var project = new Project(Guid.NewGuid(), "Docs", organization.Id, true, T0, T0);
        await catalog.AddProjectAsync(project, isDefault: true, Ct);
        return (catalog, organization, project);
    }

    private static MemicEnvironment NewEnvironment(Project project, string slug, EnvironmentStatus status = EnvironmentStatus.Provisioning) =>
        new(Guid.NewGuid(), slug, slug, project.Id, project.OrganizationId, status, T0, T0);

    [Fact]
    public async Task Organizations_and_projects_round_trip_with_their_defaults()
    {
        var (catalog, organization, project) = await SeedAsync();

        Assert.Equal(organization, await catalog.GetOrganizationAsync(organization.Id, Ct));
        Assert.Equal(organization, await catalog.GetDefaultOrganizationAsync(Ct));
        Assert.Equal(project, await catalog.GetProjectAsync(project.Id, Ct));
        Assert.Equal(project, await catalog.GetDefaultProjectAsync(Ct));
        Assert.Equal([project], await catalog.ListProjectsAsync(organization.Id, Ct));
        Assert.Empty(await catalog.ListProjectsAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Only_one_organization_can_be_the_default()
    {
        var (catalog, _, _) = await SeedAsync();

        await Assert.ThrowsAsync<ConflictException>(() =>
            catalog.AddOrganizationAsync(new Organization(Guid.NewGuid(), "Other", T0), isDefault: true, Ct));
        await catalog.AddOrganizationAsync(new Organization(Guid.NewGuid(), "Other", T0), isDefault: false, Ct);
    }

    [Fact]
    public async Task Environment_slug_is_unique_within_its_project_only()
    {
        var (catalog, organization, project) = await SeedAsync();
        var other = new Project(Guid.NewGuid(), "Other", organization.Id, true, T0, T0);
        await catalog.AddProjectAsync(other, isDefault: false, Ct);
        await catalog.AddEnvironmentAsync(NewEnvironment(project, "production"), Ct);

        await Assert.ThrowsAsync<ConflictException>(() => catalog.AddEnvironmentAsync(NewEnvironment(project, "production"), Ct));
        await catalog.AddEnvironmentAsync(NewEnvironment(other, "production"), Ct);

        Assert.Equal(2, (await catalog.ListEnvironmentsAsync(Ct)).Count);
    }

    [Fact]
    public async Task Environment_status_changes_are_kept()
    {
        var (catalog, _, project) = await SeedAsync();
        var environment = NewEnvironment(project, "staging");
        await catalog.AddEnvironmentAsync(environment, Ct);

        await catalog.SetEnvironmentStatusAsync(environment.Id, EnvironmentStatus.Ready, T0.AddMinutes(1), Ct);

        var stored = await catalog.FindEnvironmentAsync(project.Id, "staging", Ct);
        Assert.Equal(EnvironmentStatus.Ready, stored!.Status);
        Assert.Equal(T0.AddMinutes(1), stored.UpdatedAt);
        Assert.Null(await catalog.FindEnvironmentAsync(project.Id, "other", Ct));
    }

    [Fact]
    public async Task Folder_names_are_unique_per_environment()
    {
        var (catalog, _, project) = await SeedAsync();
        var a = NewEnvironment(project, "a");
        var b = NewEnvironment(project, "b");
        await catalog.AddEnvironmentAsync(a, Ct);
        await catalog.AddEnvironmentAsync(b, Ct);

        await catalog.AddFolderAsync(new Folder(Guid.NewGuid(), a.Id, "default", true, T0), Ct);
        await catalog.AddFolderAsync(new Folder(Guid.NewGuid(), b.Id, "default", true, T0), Ct);
        await Assert.ThrowsAsync<ConflictException>(() => catalog.AddFolderAsync(new Folder(Guid.NewGuid(), a.Id, "default", false, T0), Ct));

        Assert.Single(await catalog.ListFoldersAsync(a.Id, Ct));
    }

    [Fact]
    public async Task Removing_an_environment_removes_its_folders_and_keys_but_nothing_of_others()
    {
        var (catalog, _, project) = await SeedAsync();
        var (_, keys, _) = OpenCatalog();
        var doomed = NewEnvironment(project, "doomed");
        var kept = NewEnvironment(project, "kept");
        await catalog.AddEnvironmentAsync(doomed, Ct);
        await catalog.AddEnvironmentAsync(kept, Ct);
        foreach (var environment in new[] { doomed, kept })
        {
            await catalog.AddFolderAsync(new Folder(Guid.NewGuid(), environment.Id, "default", true, T0), Ct);
            await keys.AddKeyAsync(NewKey(environment.Id), Ct);
        }

        await catalog.RemoveEnvironmentAsync(doomed.Id, Ct);
        await catalog.RemoveEnvironmentAsync(doomed.Id, Ct);

        Assert.Null(await catalog.GetEnvironmentAsync(doomed.Id, Ct));
        Assert.Empty(await catalog.ListFoldersAsync(doomed.Id, Ct));
        Assert.Empty(await keys.ListKeysAsync(doomed.Id, Ct));
        Assert.NotNull(await catalog.GetEnvironmentAsync(kept.Id, Ct));
        Assert.Single(await catalog.ListFoldersAsync(kept.Id, Ct));
        Assert.Single(await keys.ListKeysAsync(kept.Id, Ct));
    }

    [Fact]
    public async Task Keys_round_trip_and_record_last_use()
    {
        var (catalog, _, project) = await SeedAsync();
        var (_, keys, _) = OpenCatalog();
        var environment = NewEnvironment(project, "production");
        await catalog.AddEnvironmentAsync(environment, Ct);
        var key = NewKey(environment.Id);
        await keys.AddKeyAsync(key, Ct);

        await keys.MarkKeyUsedAsync(key.Info.Id, T0.AddHours(1), Ct);

        var stored = await keys.GetKeyAsync(key.Info.Id, Ct);
        Assert.Equal(key.Info with { LastUsedAt = T0.AddHours(1) }, stored!.Info);
        Assert.Equal(key.KeyHash, stored.KeyHash);

        await keys.RemoveKeyAsync(key.Info.Id, Ct);
        Assert.Null(await keys.GetKeyAsync(key.Info.Id, Ct));
    }

    [Fact]
    public async Task Generated_admin_key_is_kept_apart_from_environment_keys()
    {
        var (_, keys, _) = OpenCatalog();
        Assert.Null(await keys.GetGeneratedAdminKeyAsync(Ct));
        var admin = NewKey(Guid.Empty);

        await keys.SetGeneratedAdminKeyAsync(admin, Ct);

        Assert.Equal(admin.Info.Id, (await keys.GetGeneratedAdminKeyAsync(Ct))!.Info.Id);
        Assert.Null(await keys.GetKeyAsync(admin.Info.Id, Ct));
    }

    [Fact]
    public async Task Host_settings_are_upserted()
    {
        var (_, _, settings) = OpenCatalog();

        Assert.Null(await settings.GetSettingAsync("x", Ct));
        await settings.SetSettingAsync("x", "1", Ct);
        await settings.SetSettingAsync("x", "2", Ct);

        Assert.Equal("2", await settings.GetSettingAsync("x", Ct));
    }

    [Fact]
    public async Task Reopened_catalog_keeps_everything()
    {
        var (_, organization, project) = await SeedAsync();

        var (reopened, _, _) = OpenCatalog();

        Assert.Equal(organization, await reopened.GetDefaultOrganizationAsync(Ct));
        Assert.Equal(project, await reopened.GetDefaultProjectAsync(Ct));
    }

    [Fact]
    public async Task Separate_storage_shares_nothing()
    {
        await SeedAsync();

        var (other, _, _) = OpenCatalog("other");

        Assert.Null(await other.GetDefaultOrganizationAsync(Ct));
    }

    private static ApiKeyRecord NewKey(Guid environmentId)
    {
        var key = ApiKeyFormat.NewEnvironmentKey();
        return new ApiKeyRecord(new ApiKeyInfo(Guid.NewGuid(), environmentId, "k", ApiKeyFormat.DisplayPrefix(key), T0, null), ApiKeyFormat.Hash(key));
    }

    [Fact]
    public async Task An_environments_expiry_round_trips_and_clears()
    {
        var (catalog, _, project) = await SeedAsync();
        var environment = NewEnvironment(project, "expiring") with { ExpiresAt = T0.AddHours(72) };
        await catalog.AddEnvironmentAsync(environment, Ct);
        Assert.Equal(T0.AddHours(72), (await catalog.GetEnvironmentAsync(environment.Id, Ct))!.ExpiresAt);

        await catalog.SetEnvironmentExpiryAsync(environment.Id, T0.AddHours(1), T0.AddMinutes(5), Ct);
        var renewed = await catalog.GetEnvironmentAsync(environment.Id, Ct);
        await catalog.SetEnvironmentExpiryAsync(environment.Id, null, T0.AddMinutes(6), Ct);
        var cleared = await catalog.GetEnvironmentAsync(environment.Id, Ct);

        Assert.Equal(T0.AddHours(1), renewed!.ExpiresAt);
        Assert.Equal(T0.AddMinutes(5), renewed.UpdatedAt);
        Assert.Null(cleared!.ExpiresAt);
        Assert.Null(Assert.Single(await catalog.ListEnvironmentsAsync(Ct), e => e.Id == environment.Id).ExpiresAt);
    }

    [Fact]
    public async Task Users_are_found_by_id_and_email_listed_per_organization_and_removed()
    {
        var (catalog, organization, _) = await SeedAsync();
        var users = (IUserCatalog)catalog;
        var ada = new MemicUser(Guid.NewGuid(), organization.Id, "ada@example.com", UserRole.Owner, "hash-1", T0);
        var bob = new MemicUser(Guid.NewGuid(), organization.Id, "bob@example.com", UserRole.Member, "hash-2", T0.AddSeconds(1));
        var other = new Organization(Guid.NewGuid(), "Other", T0);
        await catalog.AddOrganizationAsync(other, isDefault: false, Ct);
        var elsewhere = new MemicUser(Guid.NewGuid(), other.Id, "eve@example.com", UserRole.Admin, "hash-3", T0);
        await users.AddUserAsync(ada, Ct);
        await users.AddUserAsync(bob, Ct);
        await users.AddUserAsync(elsewhere, Ct);

        Assert.Equal(ada, await users.GetUserAsync(ada.Id, Ct));
        Assert.Equal(bob, await users.FindUserByEmailAsync("bob@example.com", Ct));
        Assert.Null(await users.FindUserByEmailAsync("nobody@example.com", Ct));
        Assert.Equal([ada, bob], await users.ListUsersAsync(organization.Id, Ct));
        await Assert.ThrowsAsync<ConflictException>(() => users.AddUserAsync(ada with { Id = Guid.NewGuid() }, Ct));

        await users.RemoveUserAsync(ada.Id, Ct);
        await users.RemoveUserAsync(ada.Id, Ct);

        Assert.Null(await users.GetUserAsync(ada.Id, Ct));
        Assert.Null(await users.FindUserByEmailAsync("ada@example.com", Ct));
        Assert.Equal([bob], await users.ListUsersAsync(organization.Id, Ct));
        await users.AddUserAsync(ada with { Id = Guid.NewGuid() }, Ct);
    }

    [Fact]
    public async Task Sessions_are_found_by_token_hash_touched_and_removed()
    {
        var (catalog, organization, _) = await SeedAsync();
        var users = (IUserCatalog)catalog;
        var user = new MemicUser(Guid.NewGuid(), organization.Id, "sessions@example.com", UserRole.Admin, "hash", T0);
        await users.AddUserAsync(user, Ct);
        var hash = System.Security.Cryptography.SHA256.HashData("token"u8);
        var session = new UserSession(hash, user.Id, T0, T0, T0.AddHours(12));
        await users.AddSessionAsync(session, Ct);

        await users.TouchSessionAsync(hash, T0.AddMinutes(10), Ct);
        var touched = await users.GetSessionAsync(hash, Ct);
        await users.RemoveSessionAsync(hash, Ct);

        Assert.Equal(user.Id, touched!.UserId);
        Assert.Equal(T0.AddMinutes(10), touched.LastSeenAt);
        Assert.Equal(T0.AddHours(12), touched.ExpiresAt);
        Assert.Equal(hash, touched.TokenHash);
        Assert.Null(await users.GetSessionAsync(hash, Ct));
        Assert.Null(await users.GetSessionAsync(System.Security.Cryptography.SHA256.HashData("other"u8), Ct));
    }

    [Fact]
    public async Task Login_failures_are_listed_per_email_since_a_time_and_old_ones_forgotten()
    {
        var (catalog, _, _) = await SeedAsync();
        var users = (IUserCatalog)catalog;
        await users.RecordLoginFailureAsync("ada@example.com", T0, T0.AddMinutes(-15), Ct);
        await users.RecordLoginFailureAsync("ada@example.com", T0.AddMinutes(5), T0.AddMinutes(-10), Ct);
        await users.RecordLoginFailureAsync("bob@example.com", T0.AddMinutes(6), T0.AddMinutes(-9), Ct);

        Assert.Equal([T0, T0.AddMinutes(5)], await users.ListLoginFailuresAsync("ada@example.com", T0.AddMinutes(-15), Ct));
        Assert.Equal([T0.AddMinutes(5)], await users.ListLoginFailuresAsync("ada@example.com", T0.AddMinutes(1), Ct));

        await users.RecordLoginFailureAsync("ada@example.com", T0.AddMinutes(20), T0.AddMinutes(5), Ct);

        Assert.Equal([T0.AddMinutes(5), T0.AddMinutes(20)], await users.ListLoginFailuresAsync("ada@example.com", DateTimeOffset.MinValue.AddYears(1), Ct));
        Assert.Equal([T0.AddMinutes(6)], await users.ListLoginFailuresAsync("bob@example.com", T0, Ct));
    }
}
