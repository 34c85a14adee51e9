using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Memic.Core.Errors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// A search spends at most Memic:Embeddings:QueryBudget embedding its query, retries included, then answers 503
/// embedding_unavailable with Retry-After, far inside the 230 s Azure's front end gives a request.
/// </summary>
public sealed class QueryEmbeddingBudgetTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);

    private static async Task<(HttpResponseMessage Response, TimeSpan Elapsed)> SearchWithAsync(IEmbeddingGenerator<string, Embedding<float>> embedder)
    {
        var server = new MemicServerFactory
        {
            Settings = new Dictionary<string, string> { ["Memic:Embeddings:QueryBudget"] = Budget.ToString() },
            TestServices = services => services.AddSingleton(embedder),
        };
        await using var _ = server;
        using var admin = server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("budget");
        using var client = server.DataClient(key);

        var clock = Stopwatch.StartNew();
        var response = await client.PostAsJsonAsync("/api/v1/search", new { query = "where does the red kite nest" }, Ct);
        var elapsed = clock.Elapsed;
        await response.Content.LoadIntoBufferAsync(Ct);
        return (response, elapsed);
    }

    [Fact]
    public async Task An_embedder_that_hangs_gets_a_503_with_retry_after_once_the_budget_is_spent()
    {
        var (response, elapsed) = await SearchWithAsync(new HangingEmbedder());

        await response.ExpectErrorAsync(HttpStatusCode.ServiceUnavailable, "embedding_unavailable");
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
        Assert.True(elapsed >= Budget, $"answered after {elapsed}, before the budget of {Budget} was spent");
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"answered after {elapsed}");
    }

    [Fact]
    public async Task An_embedder_that_keeps_failing_gets_a_503_with_retry_after()
    {
        var (response, _) = await SearchWithAsync(new FailingEmbedder());

        await response.ExpectErrorAsync(HttpStatusCode.ServiceUnavailable, "embedding_unavailable");
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
    }

    private sealed class HangingEmbedder : IEmbeddingGenerator<string, Embedding<float>>
    {
        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new UnreachableException();
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>What the remote model adapter throws once its own retries are exhausted.</summary>
    private sealed class FailingEmbedder : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new TransientException("The embedding endpoint answered HTTP 503 on 5 attempts.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
