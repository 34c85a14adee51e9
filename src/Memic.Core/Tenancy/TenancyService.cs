using Memic.Core.Errors;
using Memic.Core.Ports;

namespace Memic.Core.Tenancy;

/// <summary>Organizations and projects: the levels above environments.</summary>
public sealed class TenancyService(ITenancyCatalog catalog, TimeProvider time)
{
    public async Task<Organization> CreateOrganizationAsync(string? name, CancellationToken cancellationToken)
    {
        var organization = new Organization(Guid.NewGuid(), InputRules.Name(name, "name"), time.GetUtcNow());
        await catalog.AddOrganizationAsync(organization, isDefault: false, cancellationToken);
        return organization;
    }

    public async Task<Project> CreateProjectAsync(string? name, Guid? organizationId, CancellationToken cancellationToken)
    {
        var validName = InputRules.Name(name, "name");
        var organization = organizationId is { } id
            ? await catalog.GetOrganizationAsync(id, cancellationToken) ?? throw NotFoundException.Resource("Organization", id)
            : await catalog.GetDefaultOrganizationAsync(cancellationToken)
              ?? throw new NotFoundException(ErrorCodes.NotFound, "There is no default organization; name one with organization_id.");

        var now = time.GetUtcNow();
        var project = new Project(Guid.NewGuid(), validName, organization.Id, IsActive: true, now, now);
        await catalog.AddProjectAsync(project, isDefault: false, cancellationToken);
        return project;
    }

    public Task<IReadOnlyList<Project>> ListProjectsAsync(Guid organizationId, CancellationToken cancellationToken) =>
        catalog.ListProjectsAsync(organizationId, cancellationToken);
}
