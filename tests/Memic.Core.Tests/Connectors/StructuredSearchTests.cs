using System.Text.Json.Nodes;
using Memic.Core.Chat;
using Memic.Core.Connectors;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Prompts;
using Memic.Core.Search;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Memic.Core.Tests.Connectors;

/// <summary>Routing and Text2SQL (CONTRACT §14) with the model and the database scripted: what is asked, what runs, what falls back.</summary>
public sealed class StructuredSearchTests : IDisposable
{
    private static readonly Guid Environment = Guid.NewGuid();

    private readonly InMemoryConnectors _connectors = new();
    private readonly RecordingDatabase _database = new();
    private readonly ScriptedChatClient _model = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _model.Dispose();

    private StructuredSearch Search(bool withModel = true)
    {
        var service = new ConnectorService(new SingleProjectCatalog(), _connectors, _connectors, _database, TimeProvider.System, NullLogger<ConnectorService>.Instance);
        return new StructuredSearch(service, _database, new NoPrompts(), Options.Create(new ConnectorOptions()), Options.Create(new ChatModelOptions()),
            NullLogger<StructuredSearch>.Instance, withModel ? _model : null);
    }

    private static SearchRequest Query(SearchRoute? forced = null, Guid? connectorId = null) =>
        new("How many orders?", 10, 0.7, new IndexFilter(), true, forced, connectorId);

    private Connector AddConnector(ConnectorStatus status = ConnectorStatus.Ready)
    {
        var connector = new Connector(Guid.NewGuid(), Environment, "shop", "postgresql", null, status, null, null,
            [new ConnectorTable("public", "orders", [new("id", "integer")], ["id"], [])], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        _connectors.Rows[connector.Id] = connector;
        _connectors.Secrets[connector.Id] = "Host=db;Username=u;Password=p";
        return connector;
    }

    [Fact]
    public async Task The_model_is_asked_for_the_contract_json_and_its_sql_runs_on_the_connector_it_names()
    {
        var shop = AddConnector();
        // Fenced, as some models answer even when asked for a schema.
        _model.Answer = "```json\n" + $$"""{"route": "structured", "connector_id": "{{shop.Id}}", "sql": "SELECT count(*) FROM public.orders", "explanation": "Counted."}""" + "\n```";

        var decision = await Search().RouteAsync(Environment, Query(), Ct);

        Assert.Equal(SearchRoute.Structured, decision.Routing.Route);
        Assert.Equal("SELECT count(*) FROM public.orders", Assert.Single(_database.Queries));
        Assert.Equal(shop.Id, decision.Result!.ConnectorId);
        Assert.Equal("Counted.", decision.Routing.SqlExplanation);
        var format = Assert.IsType<ChatResponseFormatJson>(_model.Options!.ResponseFormat);
        Assert.Equal(["route", "connector_id", "sql", "explanation"],
            format.Schema!.Value.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains($"connector_id={shop.Id:D}", _model.Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forcing_structured_overrides_a_model_that_chose_documents()
    {
        AddConnector();
        _model.Answer = """{"route": "semantic", "connector_id": null, "sql": "SELECT 1", "explanation": "Docs."}""";

        var decision = await Search().RouteAsync(Environment, Query(SearchRoute.Structured), Ct);

        Assert.Equal(SearchRoute.Structured, decision.Routing.Route);
        Assert.Equal(["SELECT 1"], _database.Queries);
    }

    [Fact]
    public async Task Forcing_semantic_never_asks_the_model_or_the_database()
    {
        AddConnector();

        var decision = await Search().RouteAsync(Environment, Query(SearchRoute.Semantic), Ct);

        Assert.Equal(SearchRoute.Semantic, decision.Routing.Route);
        Assert.Empty(_model.Calls);
        Assert.Empty(_database.Queries);
    }

    [Fact]
    public async Task An_answer_that_is_not_the_json_object_falls_back_to_documents_or_is_422_when_structured_was_forced()
    {
        AddConnector();
        _model.Answer = "Sure! Here is your SQL: SELECT 1";

        var fallback = await Search().RouteAsync(Environment, Query(), Ct);
        var forced = await Assert.ThrowsAsync<StructuredQueryException>(() => Search().RouteAsync(Environment, Query(SearchRoute.Structured), Ct));

        Assert.Equal(SearchRoute.Semantic, fallback.Routing.Route);
        Assert.Null(fallback.Result);
        Assert.Contains("could not route", fallback.Routing.Reasoning, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.StructuredQueryFailed, forced.Code);
        Assert.Empty(_database.Queries);
    }

    [Fact]
    public async Task A_refused_query_keeps_the_sql_in_the_routing_and_the_reason()
    {
        var shop = AddConnector();
        _model.Answer = $$"""{"route": "hybrid", "connector_id": "{{shop.Id}}", "sql": "DROP TABLE public.orders", "explanation": "x"}""";
        _database.Refusal = "The generated query was refused: it uses 'DROP'.";

        var decision = await Search().RouteAsync(Environment, Query(), Ct);

        Assert.Equal(SearchRoute.Semantic, decision.Routing.Route);
        Assert.Equal("DROP TABLE public.orders", decision.Routing.SqlGenerated);
        Assert.Equal(shop.Id, decision.Routing.ConnectorId);
        Assert.Contains("it uses 'DROP'", decision.Routing.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_connectors_are_not_offered_and_without_a_model_structured_is_unavailable()
    {
        AddConnector(ConnectorStatus.Failed);
        var onlyFailed = await Search().RouteAsync(Environment, Query(), Ct);
        AddConnector();
        var noModel = await Assert.ThrowsAsync<MemicException>(() => Search(withModel: false).RouteAsync(Environment, Query(SearchRoute.Structured), Ct));

        Assert.Contains("ready", onlyFailed.Routing.Reasoning, StringComparison.Ordinal);
        Assert.Empty(_model.Calls);
        Assert.Equal(ErrorCodes.StructuredSearchUnavailable, noModel.Code);
    }

    [Fact]
    public async Task A_connector_id_of_another_environment_is_not_found()
    {
        var elsewhere = AddConnector() with { EnvironmentId = Guid.NewGuid() };
        _connectors.Rows[elsewhere.Id] = elsewhere;

        await Assert.ThrowsAsync<NotFoundException>(() => Search().RouteAsync(Environment, Query(connectorId: elsewhere.Id), Ct));
    }

    private sealed class InMemoryConnectors : IConnectorCatalog, IConnectorSecrets
    {
        public Dictionary<Guid, Connector> Rows { get; } = [];

        public Dictionary<Guid, string> Secrets { get; } = [];

        public Task AddConnectorAsync(Connector connector, CancellationToken cancellationToken)
        {
            Rows[connector.Id] = connector;
            return Task.CompletedTask;
        }

        public Task<Connector?> GetConnectorAsync(Guid connectorId, CancellationToken cancellationToken) => Task.FromResult(Rows.GetValueOrDefault(connectorId));

        public Task<IReadOnlyList<Connector>> ListConnectorsAsync(Guid environmentId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Connector>>([.. Rows.Values.Where(c => c.EnvironmentId == environmentId)]);

        public Task UpdateConnectorAsync(Connector connector, CancellationToken cancellationToken) => AddConnectorAsync(connector, cancellationToken);

        public Task RemoveConnectorAsync(Guid connectorId, CancellationToken cancellationToken)
        {
            Rows.Remove(connectorId);
            return Task.CompletedTask;
        }

        public Task PutAsync(Guid connectorId, string connectionString, CancellationToken cancellationToken)
        {
            Secrets[connectorId] = connectionString;
            return Task.CompletedTask;
        }

        public Task<string?> GetAsync(Guid connectorId, CancellationToken cancellationToken) => Task.FromResult(Secrets.GetValueOrDefault(connectorId));

        public Task DeleteAsync(Guid connectorId, CancellationToken cancellationToken)
        {
            Secrets.Remove(connectorId);
            return Task.CompletedTask;
        }
    }

    private sealed class RecordingDatabase : IConnectorDatabase
    {
        public List<string> Queries { get; } = [];

        public string? Refusal { get; set; }

        public string Kind => "postgresql";

        public string? CheckConnectionString(string connectionString) => null;

        public Task<IReadOnlyList<ConnectorTable>> ReadSchemaAsync(string connectionString, IReadOnlyList<string>? allowList, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ConnectorTable>>([]);

        public Task<QueryRows> QueryAsync(string connectionString, string sql, IReadOnlyList<ConnectorTable> tables, int maxRows, CancellationToken cancellationToken)
        {
            Queries.Add(sql);
            return Refusal is { } refusal
                ? throw new StructuredQueryException(refusal)
                : Task.FromResult(new QueryRows(["count"], [[JsonValue.Create(6)]], false));
        }
    }

    private sealed class NoPrompts : IPromptCatalog
    {
        public Task<PromptVersion?> GetLivePromptVersionAsync(Guid environmentId, string name, CancellationToken cancellationToken) => Task.FromResult<PromptVersion?>(null);

        public Task<PromptVersion> AddPromptVersionAsync(Guid environmentId, string name, string body, bool makeLive, DateTimeOffset at, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<PromptVersion?> SetLivePromptVersionAsync(Guid environmentId, string name, int versionNumber, DateTimeOffset at, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<PromptVersion>> ListPromptVersionsAsync(Guid environmentId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<int> RemovePromptAsync(Guid environmentId, string name, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class ScriptedChatClient : IChatClient
    {
        public string Answer { get; set; } = "";

        public List<IReadOnlyList<ChatMessage>> Calls { get; } = [];

        public IReadOnlyList<ChatMessage> Messages => Calls[^1];

        public ChatOptions? Options { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls.Add([.. messages]);
            Options = options;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer)));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
