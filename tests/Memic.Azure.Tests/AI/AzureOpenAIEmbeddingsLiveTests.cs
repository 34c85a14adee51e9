using Memic.Azure.AI;
using Memic.Azure.Identity;
using Memic.Core.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memic.Azure.Tests.AI;

/// <summary>
/// The remote embedder against a real Azure OpenAI deployment, when <c>MEMIC_TEST_OPENAI_ENDPOINT</c> and
/// <c>MEMIC_TEST_OPENAI_EMBEDDING_DEPLOYMENT</c> name one (reached with the caller's Entra identity, as in Azure);
/// skipped, visibly, otherwise.
/// </summary>
public sealed class AzureOpenAIEmbeddingsLiveTests
{
    public const string EndpointVariable = "MEMIC_TEST_OPENAI_ENDPOINT";
    public const string DeploymentVariable = "MEMIC_TEST_OPENAI_EMBEDDING_DEPLOYMENT";

    [Fact]
    public async Task A_deployment_returns_normalised_vectors_of_the_configured_size_in_input_order()
    {
        using var model = Live();
        string[] texts = ["The boiler is serviced every spring.", "Invoices are due within thirty days."];

        var embeddings = await model.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);
        var query = await model.GenerateAsync(["When is the boiler serviced?"], EmbeddingPurpose.ForQuery(), TestContext.Current.CancellationToken);

        Assert.Equal(2, embeddings.Count);
        Assert.All(embeddings, e => Assert.Equal(model.Info.Dimensions, e.Vector.Length));
        Assert.All(embeddings, e => Assert.Equal(1.0, Math.Sqrt(e.Vector.ToArray().Sum(x => (double)x * x)), 3));
        var cosines = embeddings.Select(e => System.Numerics.Tensors.TensorPrimitives.Dot(e.Vector.Span, query[0].Vector.Span)).ToList();
        Assert.True(cosines[0] > cosines[1], "the query is nearer the passage it paraphrases");
    }

    private static OpenAIEmbeddingModel Live()
    {
        var endpoint = Environment.GetEnvironmentVariable(EndpointVariable);
        var deployment = Environment.GetEnvironmentVariable(DeploymentVariable);
        if (string.IsNullOrWhiteSpace(endpoint) || string.IsNullOrWhiteSpace(deployment))
        {
            Assert.Skip($"Set {EndpointVariable} and {DeploymentVariable} to an Azure OpenAI embedding deployment to run the live embeddings suite.");
        }

        var options = new EmbeddingModelOptions
        {
            Provider = EmbeddingProvider.AzureOpenAI,
            Endpoint = endpoint,
            Model = deployment,
            Dimensions = EmbeddingModelOptions.DefaultDimensions,
        };
        return OpenAIEmbeddingModels.Create(options, () => AzureCredentials.Create(null), TimeProvider.System, NullLoggerFactory.Instance);
    }
}
