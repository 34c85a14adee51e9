using Memic.Core.Files;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Embedded;
using Memic.Embedded.Embeddings;
using Memic.Functions.Http;
using Memic.Functions.Ingestion;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Memic.Functions.Tests;

/// <summary>
/// A run that the delete cannot reach (it runs on another instance) and an upload whose signed URL outlives the keys: both
/// find the environment being deleted and write nothing that would outlive it.
/// </summary>
public sealed class EnvironmentDeletionTests
{
    private const string Marker = "rooftop beehives";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_on_another_instance_released_after_the_delete_recreates_no_index_and_no_chunks()
    {
        await Azurite.RequireAsync();
        var gate = new HeldEmbeddings(Marker);
        await using var host = new FunctionsTestHost
        {
            TestServices = services => services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(
                sp => gate.Wrap(sp.GetRequiredService<MiniLmEmbeddingGenerator>())),
        };
        await host.InitializeAsync();
        var environmentId = host.Production.Environment.Id;
        var fileId = await Uploads.UploadAndConfirmAsync(host, "held.txt");
        var run = host.Services.GetRequiredService<IngestionRuns>().RunAsync(environmentId, fileId, Ct);
        await gate.Held.WaitAsync(TimeSpan.FromMinutes(1), Ct);

        // The test host's queue does not reach the run, as a delete on one instance cannot reach a run on another.
        await host.Services.GetRequiredService<EnvironmentService>().DeleteAsync(environmentId, Ct);
        gate.Release();
        await run.WaitAsync(TimeSpan.FromMinutes(1), Ct);

        var dataDirectory = host.Services.GetRequiredService<IOptions<EmbeddedOptions>>().Value.FullDataDirectory;
        Assert.False(Directory.Exists(Path.Combine(dataDirectory, "environments", environmentId.ToString("D"))), "the index came back");
        Assert.Null(await host.Services.GetRequiredService<IBlobStore>().GetSizeAsync(FileService.UploadsContainer, FileService.BlobName(environmentId, fileId), Ct));
        Assert.Null(await host.Services.GetRequiredService<ITenancyCatalog>().GetEnvironmentAsync(environmentId, Ct));
        Assert.Null(await host.Services.GetRequiredService<IFileCatalog>().GetFileAsync(environmentId, fileId, Ct));
    }

    [Fact]
    public async Task An_upload_to_an_environment_being_deleted_is_404_and_leaves_no_blob()
    {
        await Azurite.RequireAsync();
        await using var host = new FunctionsTestHost();
        await host.InitializeAsync();
        var environmentId = host.Production.Environment.Id;
        var (fileId, uploadUrl) = await Uploads.InitAsync(host, "late.txt");
        await host.Services.GetRequiredService<ITenancyCatalog>().SetEnvironmentStatusAsync(environmentId, EnvironmentStatus.Deleting, DateTimeOffset.UtcNow, Ct);

        var reply = await FunctionsTestHost.InvokeAsync(
            host.Request("PUT", new Uri(uploadUrl).PathAndQuery, bytes: Uploads.Bytes, contentType: "text/plain"), host.Create<FileFunctions>().ReceiveUpload);

        Assert.Equal(404, reply.Status);
        Assert.Null(await host.Services.GetRequiredService<IBlobStore>().GetSizeAsync(FileService.UploadsContainer, FileService.BlobName(environmentId, fileId), Ct));
    }
}
