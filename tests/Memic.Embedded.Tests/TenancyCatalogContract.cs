using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Tenancy;

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
}
