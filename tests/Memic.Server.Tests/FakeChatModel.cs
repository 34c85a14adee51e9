using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Memic.Server.Tests;

/// <summary>How the fake model answers every request.</summary>
public enum FakeModelBehaviour
{
    /// <summary>200 with a chat completion whose text is the canned answer.</summary>
    Answer,

    /// <summary>500 with an error body that echoes the request, as a careless proxy might.</summary>
    Fail,

    /// <summary>Never answers; the request ends only when the caller gives up.</summary>
    Hang,
}

/// <summary>A chat completions request as the fake received it.</summary>
public sealed record ReceivedChatRequest(string Path, string? Authorization, string? ApiKey, JsonElement Body)
{
    public IReadOnlyList<(string Role, string Content)> Messages =>
        [.. Body.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))];
}

/// <summary>
/// An OpenAI-compatible chat completions server on 127.0.0.1 (a random port), serving OpenAI's path
/// <c>/v1/chat/completions</c> and Azure OpenAI's <c>/openai/deployments/{deployment}/chat/completions</c>.
/// It records every request and answers as <see cref="FakeModelBehaviour"/> says.
/// </summary>
public sealed class FakeChatModel : IAsyncDisposable
{
    /// <summary>What the fake reports as its model, different from any configured name.</summary>
    public const string UpstreamModel = "fake-upstream-model-0613";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedChatRequest> _requests = new();

    private FakeChatModel(WebApplication app) => _app = app;

    public FakeModelBehaviour Behaviour { get; private init; }

    public string Answer { get; private init; } = "";

    /// <summary>When set, answers each request with its result instead of <see cref="Answer"/> (a scripted model).</summary>
    public Func<ReceivedChatRequest, string>? Script { get; set; }

    public string BaseUrl => _app.Urls.First();

    public IReadOnlyList<ReceivedChatRequest> Requests => [.. _requests];

    public static async Task<FakeChatModel> StartAsync(FakeModelBehaviour behaviour, string answer = "")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeChatModel(app) { Behaviour = behaviour, Answer = answer };
        Func<HttpContext, Task<IResult>> complete = fake.CompleteAsync;
        app.MapPost("/v1/chat/completions", complete);
        app.MapPost("/openai/deployments/{deployment}/chat/completions", complete);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return fake;
    }

    private async Task<IResult> CompleteAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var received = new ReceivedChatRequest(
            context.Request.Path, context.Request.Headers.Authorization.ToString(), context.Request.Headers["api-key"].ToString(), body.RootElement.Clone());
        _requests.Enqueue(received);
        var answer = Script is { } script ? script(received) : Answer;

        switch (Behaviour)
        {
            case FakeModelBehaviour.Fail:
                return Results.Json(new { error = new { message = "upstream exploded while reading: " + body.RootElement.GetRawText(), type = "server_error" } }, statusCode: 500);
            case FakeModelBehaviour.Hang:
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The caller gave up, which is what a hanging model test waits for.
                }

                return Results.Empty;
            default:
                return Results.Json(new
                {
                    id = "chatcmpl-fake",
                    @object = "chat.completion",
                    created = 1_767_225_600,
                    model = UpstreamModel,
                    choices = new[] { new { index = 0, message = new { role = "assistant", content = answer }, finish_reason = "stop" } },
                    usage = new { prompt_tokens = 100, completion_tokens = 20, total_tokens = 120 },
                });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

/// <summary>Keeps every log line of the server under test, to check what was (and was not) written.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
