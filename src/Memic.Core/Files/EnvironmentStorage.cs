using Memic.Core.Ports;
using Memic.Core.Tenancy;

namespace Memic.Core.Files;

/// <summary>An environment's uploaded blobs: nothing to create, everything under its prefix to erase.</summary>
public sealed class EnvironmentUploads(IBlobStore blobs) : IEnvironmentResources
{
    public Task ProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken) =>
        blobs.DeletePrefixAsync(FileService.UploadsContainer, $"{environmentId:D}/", cancellationToken);
}

/// <summary>An environment's search index, created for the configured embedding model and deleted with the environment.</summary>
public sealed class EnvironmentSearchIndex(ISearchIndex index, IEmbeddingModel model) : IEnvironmentResources
{
    public Task<bool> IsSlowToProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken) =>
        index.IsSlowToCreateAsync(environment.Id, cancellationToken);

    public Task ProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken) =>
        index.CreateAsync(environment.Id, model.Info, cancellationToken);

    public Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken) =>
        index.DeleteAsync(environmentId, cancellationToken);
}
