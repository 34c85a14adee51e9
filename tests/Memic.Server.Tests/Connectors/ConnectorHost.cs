using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests.Connectors;

/// <summary>
/// One local server for a connector test class, with a scripted chat model on loopback: routing requests (those that ask
/// for a JSON-schema answer) get the route and SQL a test set in <see cref="Route"/> and <see cref="Sql"/>; answer requests
/// get <see cref="ChatAnswer"/>. Every log line of the server is kept in <see cref="Logs"/>.
/// </summary>
public sealed class ConnectorHost : IAsyncLifetime
{
    public const string ConfiguredModel = "memic-text2sql-test";

    /// <summary>Short, so the statement-timeout case stays quick; answers must come within it plus 2 s.</summary>
    public static readonly TimeSpan StatementTimeout = TimeSpan.FromSeconds(1);

    public FakeChatModel Model { get; private set; } = null!;

    public MemicServerFactory Server { get; private set; } = null!;

    public CapturedLogs Logs { get; } = new();

    public HttpClient Admin { get; private set; } = null!;

    public string Route { get; set; } = "structured";

    public string? Sql { get; set; }

    public Guid? ConnectorId { get; set; }

    public string ChatAnswer { get; set; } = "Four customers.";

    public async ValueTask InitializeAsync()
    {
        Model = await FakeChatModel.StartAsync(FakeModelBehaviour.Answer);
        Model.Script = Respond;
        Server = new MemicServerFactory
        {
            Settings = ModelSettings(Model.BaseUrl + "/v1"),
            TestServices = services =>
            {
                services.AddSingleton<ILoggerProvider>(Logs);
                services.Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Trace);
            },
        };
        Admin = Server.AdminClient();
    }

    public static Dictionary<string, string> ModelSettings(string endpoint) => new()
    {
        ["Memic:Chat:Provider"] = "OpenAI",
        ["Memic:Chat:Endpoint"] = endpoint,
        ["Memic:Chat:Model"] = ConfiguredModel,
        ["Memic:Chat:ApiKey"] = "sk-test-not-for-logs",
        ["Memic:Chat:MaxRetries"] = "0",
        ["Memic:Connectors:StatementTimeout"] = "00:00:01",
    };

    /// <summary>The model says: route there, on this connector, with this SQL.</summary>
    public void Script(string route, Guid? connectorId, string? sql)
    {
        Route = route;
        ConnectorId = connectorId;
        Sql = sql;
    }

    public async Task<(Guid Id, HttpClient Client)> EnvironmentAsync(string slug)
    {
        var (id, key) = await Admin.CreateEnvironmentAsync(slug);
        return (id, Server.DataClient(key));
    }

    public async Task<JsonElement> CreateConnectorAsync(Guid environmentId, string connectionString, string[]? tables, string name = "shop")
    {
        var response = await Admin.PostAsJsonAsync(
            $"/api/admin/v1/environments/{environmentId}/connectors",
            new { name, kind = "postgresql", connection_string = connectionString, description = "The web shop's orders", tables },
            Ct);
        return await response.ExpectAsync(HttpStatusCode.Created);
    }

    private string Respond(ReceivedChatRequest request) =>
        request.Body.TryGetProperty("response_format", out _)
            ? JsonSerializer.Serialize(new { route = Route, connector_id = ConnectorId?.ToString("D"), sql = Sql, explanation = "Counted by the database." })
            : ChatAnswer;

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Server.DisposeAsync();
        await Model.DisposeAsync();
    }
}
