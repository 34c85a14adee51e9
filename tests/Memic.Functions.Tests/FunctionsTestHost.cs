using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Memic.Azure;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Embedded;
using Memic.Embedded.Embeddings;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Memic.Functions.Tests;

/// <summary>
/// The Functions app's services as <see cref="FunctionsComposition.AddMemicFunctionServices"/> registers them, on test
/// adapters: SQLite catalog, key store and search index and the MiniLM embedder (Memic.Embedded), uploads in Azurite,
/// and an ingestion queue that records instead of delivering, so each test decides when a trigger runs.
/// </summary>
public sealed class FunctionsTestHost : IAsyncLifetime
{
    private readonly Lazy<string> _dataDirectory;
    private readonly string _adminKey = ApiKeyFormat.NewAdminKey();
    private ServiceProvider? _services;

    public FunctionsTestHost()
    {
        _dataDirectory = new(() => SameStorageAs?._dataDirectory.Value ?? Directory.CreateTempSubdirectory("memic-functions-test-").FullName);
    }

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("The host has not started.");

    public string AdminKey => SameStorageAs?.AdminKey ?? _adminKey;

    /// <summary>
    /// Another instance of the app: a second worker on the first one's catalog and uploads, with its own services (and so
    /// its own per-worker state). The first host owns the storage and must outlive this one.
    /// </summary>
    public FunctionsTestHost? SameStorageAs { get; init; }

    /// <summary>Settings added to (or overriding) the host's own.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    public RecordingIngestionQueue Queue { get; } = new();

    /// <summary>Registrations made before the host's own (they win: every registration uses TryAdd).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>The default environment that first-run setup creates.</summary>
    public CreatedEnvironment Production { get; private set; } = null!;

    /// <summary>A second environment of the same project, to prove isolation.</summary>
    public CreatedEnvironment Other { get; private set; } = null!;

    public string ProductionKey => Production.FirstKey.PlaintextKey;

    public string OtherKey => Other.FirstKey.PlaintextKey;

    public async ValueTask InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Memic:DataDirectory"] = _dataDirectory.Value,
            ["Memic:Keys:AdminKey"] = AdminKey,
            ["Memic:RateLimits:Enabled"] = "false",
            ["Memic:Blobs:ConnectionString"] = Azurite.ConnectionString,
            ["Memic:Catalog:ConnectionString"] = Azurite.ConnectionString,
        }).AddInMemoryCollection(Settings).Build();

        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<IConfiguration>(configuration);
        TestServices?.Invoke(services);
        services.TryAddSingleton<IIngestionQueue>(Queue);
        services.AddInProcessProvisioning();
        services
            .AddAzureBlobStore(configuration)
            .AddAzureIngestionSlots(configuration)
            .AddMemicFunctionServices(configuration)
            .AddEmbeddedCatalogAndKeys(configuration)
            .AddEmbeddedSearchIndex()
            .AddMiniLmEmbeddings();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        if (SameStorageAs is { } first)
        {
            Production = first.Production;
            Other = first.Other;
            return;
        }

        var firstRun = await Services.GetRequiredService<FirstRunSetup>().EnsureAsync(TestContext.Current.CancellationToken);
        Production = firstRun.DefaultEnvironment ?? throw new InvalidOperationException("First-run setup created no environment.");
        Other = await Services.GetRequiredService<EnvironmentService>().CreateAsync("other", "Other", projectId: null, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (SameStorageAs is not null || !_dataDirectory.IsValueCreated)
        {
            return;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory.Value, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left for the OS to clean up; it must not fail the tests.
        }
    }

    /// <summary>A function class as the worker creates it: constructor-injected from the app's services.</summary>
    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    /// <summary>A request as the worker's ASP.NET Core integration hands it over: no route values, only the path.</summary>
    public HttpContext Request(string method, string pathAndQuery, string? apiKey = null, string? adminKey = null, object? json = null, byte[]? bytes = null, string? contentType = null)
    {
        var http = new DefaultHttpContext { RequestServices = Services };
        var query = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        http.Request.Method = method;
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("memic.test");
        http.Request.Path = query < 0 ? pathAndQuery : pathAndQuery[..query];
        http.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(pathAndQuery[query..]);
        if (apiKey is not null)
        {
            http.Request.Headers["X-API-Key"] = apiKey;
        }

        if (adminKey is not null)
        {
            http.Request.Headers["X-Admin-Key"] = adminKey;
        }

        var body = json is null ? bytes : Encoding.UTF8.GetBytes(JsonSerializer.Serialize(json));
        if (body is not null)
        {
            http.Request.Body = new MemoryStream(body);
            http.Request.ContentLength = body.Length;
            http.Request.ContentType = contentType ?? "application/json";
        }

        http.Response.Body = new MemoryStream();
        return http;
    }

    /// <summary>Runs a function on the request and writes its result, as the worker does.</summary>
    public static async Task<Reply> InvokeAsync(HttpContext http, Func<HttpRequest, Task<IResult>> function)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(function);
        var result = await function(http.Request);
        await result.ExecuteAsync(http);
        return Reply.Read(http);
    }
}

/// <summary>A response as a client sees it.</summary>
public sealed record Reply(int Status, IHeaderDictionary Headers, JsonElement Body)
{
    public string RequestId => Headers["X-Request-Id"].ToString();

    public static Reply Read(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var stream = (MemoryStream)http.Response.Body;
        var text = Encoding.UTF8.GetString(stream.ToArray());
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new Reply(http.Response.StatusCode, http.Response.Headers, body);
    }
}

/// <summary>Records what confirm enqueues; the test then delivers it to a trigger itself.</summary>
public sealed class RecordingIngestionQueue : IIngestionQueue
{
    private readonly ConcurrentQueue<(Guid EnvironmentId, Guid FileId)> _enqueued = new();

    public IReadOnlyList<(Guid EnvironmentId, Guid FileId)> Enqueued => [.. _enqueued];

    public ValueTask EnqueueAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        _enqueued.Enqueue((environmentId, fileId));
        return ValueTask.CompletedTask;
    }

    public void Cancel(Guid fileId)
    {
    }
}
