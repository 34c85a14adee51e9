using System.Collections.Concurrent;
using System.Diagnostics;
using Memic.Azure.AI;
using Memic.Core.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Memic.Azure.Tests.AI;

/// <summary>
/// <c>Memic:Embeddings:TokensPerMinute</c>: the remote embedder keeps the tokens it sends in any 60 s under the budget.
/// The clock is fake, so minutes pass in microseconds and nothing here sleeps.
/// </summary>
public sealed class TokenBudgetTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Tokens_sent_in_any_minute_stay_within_the_budget_with_concurrent_callers()
    {
        // Arrange: 4 callers × 6 inputs × 100 tokens in requests of 2 inputs = 2,400 tokens against 1,000 per minute.
        var inner = new RecordingGenerator(_time);
        using var model = Model(inner, tokensPerMinute: 1000, batchSize: 2);
        var texts = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 6).Select(_ => Text(model, 100)).ToList()).ToList();

        // Act
        var callers = texts.Select(t => model.GenerateAsync(t, cancellationToken: TestContext.Current.CancellationToken)).ToList();
        await RunClockUntilDoneAsync(model.Budget!, callers);

        // Assert
        Assert.Equal(texts.SelectMany(t => t).Order(), inner.Requests.SelectMany(r => r.Inputs).Order());
        Assert.All(inner.Requests, request =>
        {
            var inWindow = inner.Requests.Where(r => r.SentAt >= request.SentAt && r.SentAt < request.SentAt + Minute).Sum(r => Tokens(model, r.Inputs));
            Assert.True(inWindow <= 1000, $"{inWindow} tokens were sent in the minute from {request.SentAt:T}");
        });

        // 2,400 tokens need three windows (0 s, 60 s, 120 s), and no more than that.
        Assert.Equal(TimeSpan.FromMinutes(2), inner.Requests.Max(r => r.SentAt) - inner.Requests.Min(r => r.SentAt));
    }

    [Fact]
    public async Task A_waiting_request_proceeds_when_the_oldest_tokens_leave_the_window()
    {
        using var budget = new TokenBudget(100, _time, NullLogger.Instance);
        await budget.AcquireAsync(70, query: false, TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(20));
        await budget.AcquireAsync(30, query: false, TestContext.Current.CancellationToken);

        var waiting = budget.AcquireAsync(50, query: false, TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(39));
        var beforeTheFirstGrantExpires = waiting.IsCompleted;
        _time.Advance(TimeSpan.FromSeconds(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.False(beforeTheFirstGrantExpires);
        Assert.Equal(80, budget.InWindow);
    }

    [Fact]
    public async Task Requests_are_granted_in_arrival_order_and_a_cancelled_wait_takes_nothing()
    {
        using var budget = new TokenBudget(100, _time, NullLogger.Instance);
        await budget.AcquireAsync(80, query: false, TestContext.Current.CancellationToken);
        using var cancellation = new CancellationTokenSource();

        var large = budget.AcquireAsync(50, query: false, cancellation.Token);
        var small = budget.AcquireAsync(10, query: false, TestContext.Current.CancellationToken);
        var smallOvertook = small.IsCompleted;
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => large);
        await small.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.False(smallOvertook, "a small request overtook a larger one waiting before it");
        Assert.Equal(90, budget.InWindow);
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public async Task A_search_query_is_embedded_at_once_while_ingestion_waits_for_the_budget()
    {
        using var budget = new TokenBudget(100, _time, NullLogger.Instance);
        await budget.AcquireAsync(90, query: false, TestContext.Current.CancellationToken);
        var ingestion = budget.AcquireAsync(50, query: false, TestContext.Current.CancellationToken);

        var query = budget.AcquireAsync(20, query: true, TestContext.Current.CancellationToken);

        Assert.True(query.IsCompleted, "the query waited behind ingestion");
        Assert.False(ingestion.IsCompleted);
        Assert.Equal(110, budget.InWindow);
        _time.Advance(Minute);
        await ingestion.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_embedder_marks_search_queries_so_they_skip_the_ingestion_queue()
    {
        var inner = new RecordingGenerator(_time);
        using var model = Model(inner, tokensPerMinute: 100, batchSize: 4);
        await model.GenerateAsync([Text(model, 90)], cancellationToken: TestContext.Current.CancellationToken);
        var ingestion = model.GenerateAsync([Text(model, 50)], cancellationToken: TestContext.Current.CancellationToken);

        var query = model.GenerateAsync([Text(model, 20)], EmbeddingPurpose.ForQuery(), TestContext.Current.CancellationToken);

        Assert.True(query.IsCompleted, "the search query waited behind ingestion");
        Assert.False(ingestion.IsCompleted);
        _time.Advance(Minute);
        await ingestion.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_request_larger_than_the_budget_goes_alone_once_the_window_is_empty()
    {
        using var budget = new TokenBudget(100, _time, NullLogger.Instance);
        await budget.AcquireAsync(30, query: false, TestContext.Current.CancellationToken);

        var oversized = budget.AcquireAsync(250, query: false, TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(59));
        var grantedEarly = oversized.IsCompleted;
        _time.Advance(TimeSpan.FromSeconds(1));
        await oversized.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var next = budget.AcquireAsync(10, query: false, TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(59));
        var nextEarly = next.IsCompleted;
        _time.Advance(TimeSpan.FromSeconds(1));
        await next.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.False(grantedEarly, "the oversized request shared its window with other tokens");
        Assert.False(nextEarly, "a request shared the oversized request's window");
        Assert.Equal(10, budget.InWindow);
    }

    [Fact]
    public async Task Batches_are_cut_to_the_budget_and_an_oversized_input_is_sent_alone()
    {
        var inner = new RecordingGenerator(_time);
        using var model = Model(inner, tokensPerMinute: 100, batchSize: 256);
        string[] texts = [Text(model, 40), Text(model, 40), Text(model, 40), Text(model, 300), Text(model, 40)];

        var embedding = model.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);
        await RunClockUntilDoneAsync(model.Budget!, [embedding]);

        Assert.Equal([80, 40, 300, 40], inner.Requests.Select(r => Tokens(model, r.Inputs)));
        Assert.Equal(texts, inner.Requests.SelectMany(r => r.Inputs));
        Assert.Equal(texts.Length, (await embedding).Count);
    }

    [Fact]
    public async Task Without_a_budget_every_request_is_sent_at_once()
    {
        var inner = new RecordingGenerator(_time);
        using var model = Model(inner, tokensPerMinute: 0, batchSize: 1);
        var texts = Enumerable.Range(0, 20).Select(_ => Text(model, 1000)).ToList();

        var embeddings = await model.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Null(model.Budget);
        Assert.Equal(20, embeddings.Count);
        Assert.Equal(20, inner.Requests.Count);
        Assert.All(inner.Requests, r => Assert.Equal(_time.GetUtcNow(), r.SentAt));
    }

    private OpenAIEmbeddingModel Model(RecordingGenerator inner, int tokensPerMinute, int batchSize) =>
        new(inner,
            new EmbeddingModelOptions
            {
                Provider = EmbeddingProvider.OpenAI,
                Endpoint = "http://127.0.0.1:1/v1",
                Model = "fake-embedder",
                Dimensions = RecordingGenerator.Dimensions,
                BatchSize = batchSize,
                TokensPerMinute = tokensPerMinute,
            },
            new Uri("http://127.0.0.1:1/v1"),
            _time,
            NullLogger<OpenAIEmbeddingModel>.Instance);

    /// <summary>A text of exactly <paramref name="tokens"/> cl100k tokens.</summary>
    private static string Text(OpenAIEmbeddingModel model, int tokens)
    {
        var text = "apple" + string.Concat(Enumerable.Repeat(" apple", tokens - 1));
        Assert.Equal(tokens, model.CountTokens(text));
        return text;
    }

    private static int Tokens(OpenAIEmbeddingModel model, IEnumerable<string> inputs) => inputs.Sum(model.CountTokens);

    /// <summary>
    /// Advances the fake clock a second at a time, each time only once every unfinished caller is parked in the budget,
    /// so a request is recorded at the time it was granted.
    /// </summary>
    private async Task RunClockUntilDoneAsync(TokenBudget budget, IReadOnlyList<Task> callers)
    {
        var deadline = Stopwatch.StartNew();
        for (var tick = 0; tick < 3600; tick++)
        {
            while (callers.Count(c => !c.IsCompleted) != budget.Waiting)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the callers never settled");
                await Task.Yield();
            }

            if (callers.All(c => c.IsCompleted))
            {
                await Task.WhenAll(callers);
                return;
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Fail("the callers were still waiting after an hour of fake time");
    }

    private sealed record SentRequest(DateTimeOffset SentAt, IReadOnlyList<string> Inputs);

    /// <summary>An embeddings endpoint stand-in that records when each request arrived by the fake clock.</summary>
    private sealed class RecordingGenerator(TimeProvider time) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public const int Dimensions = 4;

        private readonly ConcurrentQueue<SentRequest> _requests = new();

        public IReadOnlyList<SentRequest> Requests => [.. _requests];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var inputs = values.ToList();
            _requests.Enqueue(new SentRequest(time.GetUtcNow(), inputs));
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(inputs.Select(_ => new Embedding<float>(new float[] { 1, 0, 0, 0 }))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
