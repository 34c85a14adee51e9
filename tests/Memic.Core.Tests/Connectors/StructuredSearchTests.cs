using System.Text.Json.Nodes;
using Memic.Core.Chat;
using Memic.Core.Connectors;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Prompts;
using Memic.Core.Search;
using Memic.Core.Tenancy;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

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

    private StructuredSearch Search(bool withModel = true) => Search(Connectors(TimeProvider.System), withModel);

    private StructuredSearch Search(ConnectorService connectors, bool withModel = true) =>
        new(connectors, _database, new NoPrompts(), Options.Create(new ConnectorOptions()), Options.Create(new ChatModelOptions()),
            NullLogger<StructuredSearch>.Instance, withModel ? _model : null);

    private ConnectorService Connectors(TimeProvider time, ConnectorOptions? options = null) =>
        new(Tenancy(), _connectors, _connectors, _database, time, Options.Create(options ?? new ConnectorOptions()), NullLogger<ConnectorService>.Instance);

    /// <summary>A catalog where <see cref="Environment"/> exists and is ready, so connectors can be created in it.</summary>
    private static SingleProjectCatalog Tenancy()
    {
        var tenancy = new SingleProjectCatalog();
        tenancy.Environments[Environment] = new MemicEnvironment(
            Environment, "production", "production", tenancy.Project.Id, tenancy.Organization.Id, EnvironmentStatus.Ready, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        return tenancy;
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
    public async Task Searches_without_connectors_read_the_catalog_once_per_routing_cache_period()
    {
        var time = new FakeTimeProvider();
        var search = Search(Connectors(time));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(SearchRoute.Semantic, (await search.RouteAsync(Environment, Query(), Ct)).Routing.Route);
        }

        var readsWithinPeriod = _connectors.Lists;
        time.Advance(new ConnectorOptions().RoutingCacheDuration);
        await search.RouteAsync(Environment, Query(), Ct);

        Assert.Equal(1, readsWithinPeriod);
        Assert.Equal(2, _connectors.Lists);
    }

    [Fact]
    public async Task A_routing_cache_period_of_zero_reads_the_catalog_on_every_search()
    {
        var search = Search(Connectors(new FakeTimeProvider(), new ConnectorOptions { RoutingCacheDuration = TimeSpan.Zero }));

        await search.RouteAsync(Environment, Query(), Ct);
        await search.RouteAsync(Environment, Query(), Ct);

        Assert.Equal(2, _connectors.Lists);
    }

    [Fact]
    public async Task A_search_right_after_a_connector_is_created_routes_to_it_and_after_its_deletion_no_longer()
    {
        var connectors = Connectors(new FakeTimeProvider());
        var search = Search(connectors);
        var before = await search.RouteAsync(Environment, Query(), Ct);
        _database.Schema = [new ConnectorTable("public", "orders", [new("id", "integer")], ["id"], [])];
        var shop = await connectors.CreateAsync(
            Environment, new NewConnector("shop", "postgresql", "Host=db;Username=u;Password=p", null, null), Ct);
        _model.Answer = $$"""{"route": "structured", "connector_id": "{{shop.Id}}", "sql": "SELECT count(*) FROM public.orders", "explanation": "Counted."}""";

        var created = await search.RouteAsync(Environment, Query(), Ct);
        await connectors.DeleteAsync(shop.Id, Ct);
        var deleted = await search.RouteAsync(Environment, Query(), Ct);

        Assert.Equal(SearchRoute.Semantic, before.Routing.Route);
        Assert.Equal(SearchRoute.Structured, created.Routing.Route);
        Assert.Equal(shop.Id, created.Result!.ConnectorId);
        Assert.Equal(SearchRoute.Semantic, deleted.Routing.Route);
        Assert.Contains("No connectors", deleted.Routing.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refresh_that_finds_the_database_gone_takes_the_connector_out_of_routing_at_once()
    {
        var shop = AddConnector();
        var connectors = Connectors(new FakeTimeProvider());
        var search = Search(connectors);
        _model.Answer = $$"""{"route": "structured", "connector_id": "{{shop.Id}}", "sql": "SELECT 1", "explanation": "x"}""";
        var before = await search.RouteAsync(Environment, Query(), Ct);
        _database.Unreachable = true;

        await connectors.RefreshAsync(shop.Id, Ct);
        var after = await search.RouteAsync(Environment, Query(), Ct);

        Assert.Equal(SearchRoute.Structured, before.Routing.Route);
        Assert.Equal(SearchRoute.Semantic, after.Routing.Route);
        Assert.Contains("ready", after.Routing.Reasoning, StringComparison.Ordinal);
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

        /// <summary>How many times an environment's connectors were listed: the catalog read routing saves.</summary>
        public int Lists { get; private set; }

        public Task<IReadOnlyList<Connector>> ListConnectorsAsync(Guid environmentId, CancellationToken cancellationToken)
        {
            Lists++;
            return Task.FromResult<IReadOnlyList<Connector>>([.. Rows.Values.Where(c => c.EnvironmentId == environmentId)]);
        }

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

        public IReadOnlyList<ConnectorTable> Schema { get; set; } = [];

        public bool Unreachable { get; set; }

        public string Kind => "postgresql";

        public string? CheckConnectionString(string connectionString) => null;

        public Task<IReadOnlyList<ConnectorTable>> ReadSchemaAsync(string connectionString, IReadOnlyList<string>? allowList, CancellationToken cancellationToken) =>
            Unreachable ? throw new ConnectorUnreachableException("The database did not answer.") : Task.FromResult(Schema);

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
