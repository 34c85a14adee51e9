using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>How the fake embedding endpoint answers one request.</summary>
/// <param name="Status">200 embeds; anything else is an error answer whose body echoes the request, as a careless proxy might.</param>
/// <param name="RetryAfterSeconds">Sent as Retry-After with an error answer.</param>
/// <param name="Dimensions">Length of the vectors returned; by default the requested <c>dimensions</c> or the fake's own.</param>
public sealed record FakeEmbeddingReply(int Status = 200, int? RetryAfterSeconds = null, int? Dimensions = null);

/// <summary>An embeddings request as the fake received it.</summary>
public sealed record ReceivedEmbeddingRequest(string Path, string? Authorization, string? ApiKey, IReadOnlyList<string> Inputs, int? Dimensions, DateTimeOffset ReceivedAt);

/// <summary>
/// An OpenAI-compatible embeddings server on 127.0.0.1 (a random port), serving OpenAI's <c>/v1/embeddings</c> and Azure
/// OpenAI's <c>/openai/deployments/{deployment}/embeddings</c>. Vectors are hashed bags of words, so texts sharing words
/// are near each other and search over them behaves. Every request is recorded; <c>script</c> decides each answer.
/// </summary>
public sealed class FakeEmbeddingEndpoint : IAsyncDisposable
{
    /// <summary>The length of the fake's vectors when none is requested; the tests configure it unless they test another.</summary>
    public const int NativeDimensions = 128;

    private const string WarmUp = "warm-up";

    private readonly WebApplication _app;
    private readonly Func<int, FakeEmbeddingReply> _script;
    private readonly ConcurrentQueue<ReceivedEmbeddingRequest> _requests = new();
    private int _count;

    private FakeEmbeddingEndpoint(WebApplication app, Func<int, FakeEmbeddingReply> script)
    {
        _app = app;
        _script = script;
    }

    public string BaseUrl => _app.Urls.First();

    public IReadOnlyList<ReceivedEmbeddingRequest> Requests => [.. _requests];

    public IEnumerable<string> EmbeddedTexts => Requests.SelectMany(r => r.Inputs);

    /// <summary>Starts the fake; <paramref name="script"/> maps the 0-based number of each request to its answer.</summary>
    public static async Task<FakeEmbeddingEndpoint> StartAsync(Func<int, FakeEmbeddingReply>? script = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeEmbeddingEndpoint(app, script ?? (_ => new FakeEmbeddingReply()));
        Func<HttpContext, Task<IResult>> embed = fake.EmbedAsync;
        app.MapPost("/v1/embeddings", embed);
        app.MapPost("/openai/deployments/{deployment}/embeddings", embed);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return fake;
    }

    /// <summary>The fake's vector for a text, before normalisation: counts of hashed lowercase words.</summary>
    public static float[] Vector(string text, int dimensions)
    {
        var vector = new float[dimensions];
        foreach (var word in text.ToLowerInvariant().Split([' ', '\n', '\r', '\t', '.', ',', ':', ';', '?', '!'], StringSplitOptions.RemoveEmptyEntries))
        {
            // FNV-1a: stable across processes, unlike string.GetHashCode.
            var hash = 2166136261u;
            foreach (var c in word)
            {
                hash = (hash ^ c) * 16777619u;
            }

            vector[hash % (uint)dimensions] += 3f;
        }

        vector[0] += 0.5f;
        return vector;
    }

    private async Task<IResult> EmbedAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var root = body.RootElement;
        var input = root.GetProperty("input");
        IReadOnlyList<string> inputs = input.ValueKind == JsonValueKind.String ? [input.GetString()!] : [.. input.EnumerateArray().Select(i => i.GetString()!)];
        int? requested = root.TryGetProperty("dimensions", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : null;

        // The local host embeds "warm-up" once at start (LocalServerStartup), racing the test's requests, so it is
        // answered but neither recorded nor counted by the script.
        var warmUp = inputs is [WarmUp];
        if (!warmUp)
        {
            _requests.Enqueue(new ReceivedEmbeddingRequest(
                context.Request.Path, context.Request.Headers.Authorization.ToString(), context.Request.Headers["api-key"].ToString(), inputs, requested, DateTimeOffset.UtcNow));
        }

        var reply = warmUp ? new FakeEmbeddingReply() : _script(Interlocked.Increment(ref _count) - 1);
        if (reply.Status != 200)
        {
            if (reply.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Results.Json(new { error = new { message = "upstream refused: " + root.GetRawText(), type = "server_error" } }, statusCode: reply.Status);
        }

        var dimensions = reply.Dimensions ?? requested ?? NativeDimensions;
        var base64 = root.TryGetProperty("encoding_format", out var format) && format.GetString() == "base64";
        var data = inputs.Select((text, index) =>
        {
            var vector = Vector(text, dimensions);
            object embedding = base64 ? Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan())) : vector;
            return new { @object = "embedding", index, embedding };
        }).ToArray();
        var tokens = inputs.Sum(t => t.Length / 4);
        return Results.Json(new { @object = "list", data, model = "fake-embedder", usage = new { prompt_tokens = tokens, total_tokens = tokens } });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

/// <summary><c>Memic:Embeddings:Provider=OpenAI|AzureOpenAI</c>: documents and queries are embedded by a remote model.</summary>
public sealed class EmbeddingProviderTests
{
    private const string ApiKey = "sk-embed-key-not-for-logs-4242";
    private const string BoilerSentence = "The boiler must be serviced every twelve months by a certified technician.";

    private static readonly string Document = string.Join("\n\n",
        "Facilities guide",
        "Visitors sign in at the front desk and wear a badge at all times.",
        BoilerSentence,
        "Staff parking is on levels two and three of the garage.");

    private static Dictionary<string, string> Settings(FakeEmbeddingEndpoint fake, string provider = "OpenAI", string model = "fake-embedder", int dimensions = FakeEmbeddingEndpoint.NativeDimensions) => new()
    {
        ["Memic:Embeddings:Provider"] = provider,
        ["Memic:Embeddings:Endpoint"] = provider == "OpenAI" ? fake.BaseUrl + "/v1" : fake.BaseUrl,
        ["Memic:Embeddings:Model"] = model,
        ["Memic:Embeddings:ApiKey"] = ApiKey,
        ["Memic:Embeddings:Dimensions"] = dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Memic:Embeddings:MaxRetries"] = "1",
    };

    private static async Task<(JsonElement File, HttpClient Client)> UploadAsync(MemicServerFactory server, string text, string slug = "remote")
    {
        using var admin = server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync(slug);
        var client = server.DataClient(key);
        var (file, _) = await Uploads.UploadAndWaitAsync(server, client, "facilities.txt", Encoding.UTF8.GetBytes(text), "text/plain");
        return (file, client);
    }

    [Theory]
    [InlineData("OpenAI", "fake-embedder", 128, "/v1/embeddings", null)]
    [InlineData("OpenAI", "text-embedding-3-small", 256, "/v1/embeddings", 256)]
    [InlineData("AzureOpenAI", "memic-embeddings", 128, "/openai/deployments/memic-embeddings/embeddings", null)]
    public async Task Documents_and_queries_are_embedded_by_the_configured_endpoint(string provider, string model, int dimensions, string path, int? requestedDimensions)
    {
        await using var fake = await FakeEmbeddingEndpoint.StartAsync();
        await using var server = new MemicServerFactory { Settings = Settings(fake, provider, model, dimensions) };

        var (file, client) = await UploadAsync(server, Document);
        using var _ = client;

        Assert.True(file.GetProperty("status").GetString() == "ready", file.GetProperty("error_message").ToString());
        Assert.Equal(dimensions, file.GetProperty("embedding_dimension").GetInt32());
        Assert.Contains(fake.EmbeddedTexts, t => t.Contains(BoilerSentence, StringComparison.Ordinal));
        Assert.All(fake.Requests, r => Assert.Equal(path, r.Path));
        Assert.All(fake.Requests, r => Assert.Equal(requestedDimensions, r.Dimensions));
        Assert.All(fake.Requests, r => Assert.Contains(ApiKey, r.Authorization + r.ApiKey, StringComparison.Ordinal));

        const string query = "How often must the boiler be serviced?";
        var body = await (await client.PostAsJsonAsync("/api/v1/search", new { query, min_score = 0.0 }, Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Contains(query, fake.EmbeddedTexts);
        var first = body.GetProperty("results").GetProperty("semantic").EnumerateArray().First();
        Assert.Equal(file.GetProperty("id").GetGuid(), first.GetProperty("file_id").GetGuid());
        Assert.Contains("boiler", first.GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chunks_of_a_large_window_model_are_capped_at_max_chunk_tokens()
    {
        await using var fake = await FakeEmbeddingEndpoint.StartAsync();
        var settings = Settings(fake);
        settings["Memic:Embeddings:MaxChunkTokens"] = "60";
        await using var server = new MemicServerFactory { Settings = settings };
        var text = string.Join("\n\n", Enumerable.Range(1, 40).Select(i => $"Catalogue entry {i}: the garden widget model {i} ships in a blue box with a printed warranty card."));

        var (file, client) = await UploadAsync(server, text, "capped");
        using var _ = client;

        Assert.True(file.GetProperty("status").GetString() == "ready", file.GetProperty("error_message").ToString());
        var chunks = await server.Services.GetRequiredService<Memic.Core.Ports.ISearchIndex>()
            .GetFileChunksAsync(file.GetProperty("environment_id").GetGuid(), file.GetProperty("id").GetGuid(), Ct);
        Assert.True(chunks.Count >= 10, $"{chunks.Count} chunks");
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 60));
    }

    [Fact]
    public async Task Chunks_are_sent_in_requests_of_at_most_the_batch_size()
    {
        const int batchSize = 4;
        await using var fake = await FakeEmbeddingEndpoint.StartAsync();
        var settings = Settings(fake);
        settings["Memic:Embeddings:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // A small window gives many chunks from a short document.
        settings["Memic:Embeddings:MaxInputTokens"] = "40";
        await using var server = new MemicServerFactory { Settings = settings };
        var text = string.Join("\n\n", Enumerable.Range(1, 30).Select(i => $"Catalogue entry {i}: the garden widget model {i} ships in a blue box with a printed warranty card."));

        var (file, client) = await UploadAsync(server, text);
        using var _ = client;

        Assert.True(file.GetProperty("status").GetString() == "ready", file.GetProperty("error_message").ToString());
        var chunks = file.GetProperty("total_chunks").GetInt32();
        Assert.InRange(chunks, batchSize + 1, 64); // more than one batch, and within one batch of the pipeline
        Assert.All(fake.Requests, r => Assert.InRange(r.Inputs.Count, 1, batchSize));
        Assert.Equal((chunks + batchSize - 1) / batchSize, fake.Requests.Count);
        Assert.Equal(chunks, fake.EmbeddedTexts.Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_rate_limited_request_is_retried_after_the_time_the_endpoint_asks_for(int retryAfterSeconds)
    {
        await using var fake = await FakeEmbeddingEndpoint.StartAsync(n => n == 0 ? new FakeEmbeddingReply(429, retryAfterSeconds) : new FakeEmbeddingReply());
        await using var server = new MemicServerFactory { Settings = Settings(fake) };

        var (file, client) = await UploadAsync(server, Document);
        using var _ = client;

        Assert.True(file.GetProperty("status").GetString() == "ready", file.GetProperty("error_message").ToString());
        var requests = fake.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(requests[0].Inputs, requests[1].Inputs);
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromSeconds(retryAfterSeconds - 0.1),
            $"retried after {requests[1].ReceivedAt - requests[0].ReceivedAt}, not {retryAfterSeconds} s");
    }

    [Fact]
    public async Task An_endpoint_that_keeps_failing_leaves_the_file_embedding_failed_without_logging_text_or_key()
    {
        await using var fake = await FakeEmbeddingEndpoint.StartAsync(_ => new FakeEmbeddingReply(500));
        var logs = new CapturedLogs();
        await using var server = new MemicServerFactory { Settings = Settings(fake), TestServices = services => services.AddSingleton<ILoggerProvider>(logs) };

        var (file, client) = await UploadAsync(server, Document);
        using var _ = client;

        Assert.Equal("embedding_failed", file.GetProperty("status").GetString());
        Assert.Contains("temporary error", file.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        Assert.True(fake.Requests.Count > 2, $"only {fake.Requests.Count} requests: the failure was not retried");
        Assert.Contains(logs.Lines, l => l.Contains("HTTP 500", StringComparison.Ordinal));
        Assert.All(logs.Lines, l => Assert.DoesNotContain("twelve months", l, StringComparison.Ordinal));
        Assert.All(logs.Lines, l => Assert.DoesNotContain(ApiKey, l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Vectors_of_the_wrong_length_leave_the_file_embedding_failed()
    {
        await using var fake = await FakeEmbeddingEndpoint.StartAsync(_ => new FakeEmbeddingReply(Dimensions: 127));
        await using var server = new MemicServerFactory { Settings = Settings(fake, dimensions: 128) };

        var (file, client) = await UploadAsync(server, Document);
        using var _ = client;

        Assert.Equal("embedding_failed", file.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(file.GetProperty("error_message").GetString()));
        Assert.NotEmpty(fake.Requests);
    }

    [Fact]
    public async Task The_embedder_returns_unit_vectors_in_input_order_and_refuses_vectors_of_another_length()
    {
        await using var fake = await FakeEmbeddingEndpoint.StartAsync(n => n == 0 ? new FakeEmbeddingReply() : new FakeEmbeddingReply(Dimensions: 64));
        var options = new Core.Embeddings.EmbeddingModelOptions
        {
            Provider = Core.Embeddings.EmbeddingProvider.OpenAI, Endpoint = fake.BaseUrl + "/v1", Model = "fake-embedder", Dimensions = FakeEmbeddingEndpoint.NativeDimensions, MaxRetries = 0,
        };
        using var embedder = Azure.AI.OpenAIEmbeddingModels.Create(options, () => Azure.Identity.AzureCredentials.Create(null), TimeProvider.System, LoggerFactory.Create(_ => { }));
        string[] texts = ["boiler service", "staff parking garage"];

        var embeddings = await embedder.GenerateAsync(texts, cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => embedder.GenerateAsync(texts, cancellationToken: Ct));

        Assert.Equal(2, embeddings.Count);
        Assert.All(embeddings, e => Assert.Equal(1.0, Math.Sqrt(e.Vector.ToArray().Sum(x => (double)x * x)), 4));
        var expected = FakeEmbeddingEndpoint.Vector(texts[1], FakeEmbeddingEndpoint.NativeDimensions);
        var norm = (float)Math.Sqrt(expected.Sum(x => (double)x * x));
        Assert.Equal(expected.Select(x => x / norm), embeddings[1].Vector.ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Contains("64-dimensional", error.Message, StringComparison.Ordinal);
        Assert.Contains("Memic:Embeddings:Dimensions", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, embedder.CountTokens("hello world"));
    }

    [Theory]
    [InlineData("OpenAI", null, "fake-embedder", "Memic:Embeddings:Endpoint")]
    [InlineData("OpenAI", "http://127.0.0.1:9/v1", null, "Memic:Embeddings:Model")]
    [InlineData("AzureOpenAI", null, "memic-embeddings", "Memic:Embeddings:Endpoint")]
    [InlineData("OpenAI", "not a url", "fake-embedder", "Memic:Embeddings:Endpoint")]
    public async Task Incomplete_embedding_settings_stop_the_server_naming_the_setting(string provider, string? endpoint, string? modelName, string setting)
    {
        var settings = new Dictionary<string, string> { ["Memic:Embeddings:Provider"] = provider };
        if (endpoint is not null)
        {
            settings["Memic:Embeddings:Endpoint"] = endpoint;
        }

        if (modelName is not null)
        {
            settings["Memic:Embeddings:Model"] = modelName;
        }

        await using var server = new MemicServerFactory { Settings = settings };

        var error = Assert.IsType<OptionsValidationException>(server.StartupFailure());
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_negative_token_budget_stops_the_server_naming_the_setting()
    {
        var settings = new Dictionary<string, string>
        {
            ["Memic:Embeddings:Provider"] = "OpenAI",
            ["Memic:Embeddings:Endpoint"] = "http://127.0.0.1:9/v1",
            ["Memic:Embeddings:Model"] = "fake-embedder",
            ["Memic:Embeddings:TokensPerMinute"] = "-1",
        };

        await using var server = new MemicServerFactory { Settings = settings };

        var error = Assert.IsType<OptionsValidationException>(server.StartupFailure());
        Assert.Contains("Memic:Embeddings:TokensPerMinute", error.Message, StringComparison.Ordinal);
    }
}
