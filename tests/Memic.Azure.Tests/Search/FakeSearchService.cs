using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Search.Documents;

namespace Memic.Azure.Tests.Search;

/// <summary>
/// A small Azure AI Search behind the SDK's HTTP transport: it keeps index definitions and documents, answers the
/// REST calls the adapter makes (create/get/delete index, index documents, search), and records every request so
/// tests can assert them. It understands only the filters it must to list one file (<c>file_id eq '…'</c>); other
/// filters and ranking are the real service's business, so query tests assert the request and script the answer.
/// </summary>
internal sealed partial class FakeSearchService : HttpMessageHandler
{
    public const string Token = "fake-search-token";

    private readonly Dictionary<string, JsonObject> _indexes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _documents = new(StringComparer.Ordinal);
    private readonly List<SearchRequest> _requests = [];
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public FakeSearchService(string host = "memic-search-1.search.windows.net") => Endpoint = new Uri($"https://{host}/");

    public Uri Endpoint { get; }

    /// <summary>Answers a request instead of the service when it returns a response; null lets the service answer.</summary>
    public Func<SearchRequest, HttpResponseMessage?> Override { get; set; } = _ => null;

    /// <summary>The documents a search with a query (text or vector) returns, in order, with their scores; null: every matching document.</summary>
    public Func<SearchRequest, IReadOnlyList<(JsonObject Document, double Score)>?> QueryAnswer { get; set; } = _ => null;

    public IReadOnlyList<SearchRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<SearchRequest> RequestsTo(string pathEnd) => [.. Requests.Where(r => r.Uri.AbsolutePath.EndsWith(pathEnd, StringComparison.Ordinal))];

    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    public JsonObject? Index(string name)
    {
        lock (_gate)
        {
            return _indexes.GetValueOrDefault(name)?.DeepClone().AsObject();
        }
    }

    public int DocumentCount(string index)
    {
        lock (_gate)
        {
            return _documents.TryGetValue(index, out var docs) ? docs.Count : 0;
        }
    }

    public SearchClientOptions ClientOptions() => new() { Transport = new HttpClientTransport(new HttpClient(this)) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new SearchRequest(
            request.Method.Method, request.RequestUri!, body, request.Headers.Authorization?.ToString(), _clock.Elapsed);
        lock (_gate)
        {
            _requests.Add(recorded);
        }

        var answer = Override(recorded) ?? Answer(recorded);
        answer.RequestMessage = request;
        return answer;
    }

    public static HttpResponseMessage Json(HttpStatusCode status, JsonNode body) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Error(HttpStatusCode status, string code = "Error", params (string Name, string Value)[] headers)
    {
        var response = Json(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = $"{(int)status} from the fake." } });
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    private HttpResponseMessage Answer(SearchRequest request)
    {
        if (request.Authorization != $"Bearer {Token}")
        {
            return Error(HttpStatusCode.Forbidden, "NoToken");
        }

        var path = request.Uri.AbsolutePath;
        lock (_gate)
        {
            if (path == "/indexes" && request.Method == "POST")
            {
                var definition = JsonNode.Parse(request.Body!)!.AsObject();
                var name = (string)definition["name"]!;
                if (_indexes.ContainsKey(name))
                {
                    return Error(HttpStatusCode.Conflict, "ResourceNameAlreadyInUse");
                }

                _indexes[name] = definition;
                _documents[name] = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
                return Json(HttpStatusCode.Created, definition.DeepClone());
            }

            var match = IndexPath().Match(path);
            if (!match.Success)
            {
                return Error(HttpStatusCode.BadRequest, "UnknownPath");
            }

            var index = match.Groups["index"].Value;
            if (!_indexes.TryGetValue(index, out var stored))
            {
                return Error(HttpStatusCode.NotFound, "IndexNotFound");
            }

            return (request.Method, match.Groups["rest"].Value) switch
            {
                ("GET", "") => Json(HttpStatusCode.OK, stored.DeepClone()),
                ("DELETE", "") => Delete(index),
                ("POST", "/docs/search.index") => IndexDocuments(_documents[index], request.JsonBody),
                ("POST", "/docs/search.post.search") => Search(_documents[index], request),
                _ => Error(HttpStatusCode.BadRequest, "UnknownOperation"),
            };
        }
    }

    private HttpResponseMessage Delete(string index)
    {
        _indexes.Remove(index);
        _documents.Remove(index);
        return new HttpResponseMessage(HttpStatusCode.NoContent);
    }

    private static HttpResponseMessage IndexDocuments(SortedDictionary<string, JsonObject> documents, JsonElement body)
    {
        var results = new JsonArray();
        foreach (var action in body.GetProperty("value").EnumerateArray())
        {
            var document = JsonNode.Parse(action.GetRawText())!.AsObject();
            var kind = (string)document["@search.action"]!;
            document.Remove("@search.action");
            var key = (string)document["id"]!;
            if (kind == "delete")
            {
                documents.Remove(key);
            }
            else
            {
                documents[key] = document;
            }

            results.Add(new JsonObject { ["key"] = key, ["status"] = true, ["errorMessage"] = null, ["statusCode"] = kind == "delete" ? 200 : 201 });
        }

        return Json(HttpStatusCode.OK, new JsonObject { ["value"] = results });
    }

    private HttpResponseMessage Search(SortedDictionary<string, JsonObject> documents, SearchRequest request)
    {
        var body = request.JsonBody;
        var isQuery = body.TryGetProperty("vectorQueries", out _) || (body.TryGetProperty("search", out var search) && search.ValueKind == JsonValueKind.String && search.GetString() != "*");
        IEnumerable<(JsonObject Document, double Score)> hits;
        if (isQuery)
        {
            // Filtering and ranking a query is the real service's business: answer what the test scripted, else everything.
            hits = QueryAnswer(request) ?? [.. documents.Values.Select(d => (d, 1.0))];
        }
        else
        {
            IEnumerable<JsonObject> matching = documents.Values;
            if (body.TryGetProperty("filter", out var filter) && filter.ValueKind == JsonValueKind.String)
            {
                var ofFile = FileFilter().Match(filter.GetString()!);
                if (!ofFile.Success)
                {
                    return Error(HttpStatusCode.BadRequest, "FilterNotUnderstoodByFake");
                }

                matching = matching.Where(d => (string)d["file_id"]! == ofFile.Groups["file"].Value);
            }

            if (body.TryGetProperty("orderby", out var orderBy) && orderBy.GetString() == "chunk_index asc,id asc")
            {
                matching = matching.OrderBy(d => (int)d["chunk_index"]!).ThenBy(d => (string)d["id"]!, StringComparer.Ordinal);
            }

            hits = matching.Select(d => (d, 1.0));
        }

        var all = hits.ToList();
        var skip = body.TryGetProperty("skip", out var s) ? s.GetInt32() : 0;
        var top = body.TryGetProperty("top", out var t) ? t.GetInt32() : 50;
        var select = body.TryGetProperty("select", out var sel) ? sel.GetString()!.Split(',') : null;
        var value = new JsonArray();
        foreach (var (document, score) in all.Skip(skip).Take(top))
        {
            var projected = new JsonObject { ["@search.score"] = score };
            foreach (var (name, field) in document)
            {
                if (select is null || select.Contains(name))
                {
                    projected[name] = field?.DeepClone();
                }
            }

            value.Add(projected);
        }

        var answer = new JsonObject();
        if (body.TryGetProperty("count", out var count) && count.GetBoolean())
        {
            answer["@odata.count"] = all.Count;
        }

        answer["value"] = value;
        return Json(HttpStatusCode.OK, answer);
    }

    [GeneratedRegex(@"^/indexes\('(?<index>[^']+)'\)(?<rest>.*)$")]
    private static partial Regex IndexPath();

    [GeneratedRegex(@"^file_id eq '(?<file>[0-9a-f-]{36})'$")]
    private static partial Regex FileFilter();

    public sealed class StaticToken : TokenCredential
    {
        public List<string[]> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes)
            {
                Scopes.Add(requestContext.Scopes);
            }

            return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}

/// <summary>One request as the fake service saw it.</summary>
internal sealed record SearchRequest(string Method, Uri Uri, string? Body, string? Authorization, TimeSpan At)
{
    /// <summary>Method and path, e.g. <c>POST /indexes('env-…')/docs/search.index</c>.</summary>
    public string Line => $"{Method} {Uri.AbsolutePath}";

    public JsonElement JsonBody => JsonDocument.Parse(Body!).RootElement;
}
