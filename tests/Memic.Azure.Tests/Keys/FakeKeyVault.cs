using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Memic.Azure.Internals;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memic.Azure.Tests.Keys;

/// <summary>
/// An in-memory Key Vault behind the SDK's HTTP transport: it answers Key Vault's auth challenge, keeps secrets and
/// soft-deleted secrets in dictionaries, and records every authenticated request so tests can assert the REST calls.
/// </summary>
internal sealed class FakeKeyVault : HttpMessageHandler
{
    public const string Host = "memic-test.vault.azure.net";
    public static readonly Uri VaultUri = new($"https://{Host}/");

    private const string Token = "fake-token";

    private readonly Dictionary<string, JsonObject> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, JsonObject> _deleted = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<RecordedRequest> _requests = [];
    private readonly object _gate = new();

    /// <summary>Answers a request instead of the vault when it returns a status; null lets the vault answer.</summary>
    public Func<RecordedRequest, HttpStatusCode?> Override { get; set; } = _ => null;

    /// <summary>Makes the vault answer secret reads under this name instead of the one asked for.</summary>
    public string? AnswerAsName { get; set; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public bool HoldsDeleted(string name)
    {
        lock (_gate)
        {
            return _deleted.ContainsKey(name);
        }
    }

    public void AddDeleted(string name)
    {
        lock (_gate)
        {
            _deleted[name] = Bundle(name, "{}", deleted: true);
        }
    }

    /// <summary>A client built like production's (same transient-failure policy), talking to this fake with no retries.</summary>
    public SecretClient Client() =>
        new(VaultUri, new StaticToken(), AzureClientPipeline.Configure(
            new SecretClientOptions { Transport = new HttpClientTransport(new HttpClient(this)) },
            AzureRetrySettings.Default with { MaxRetries = 0 },
            TimeProvider.System,
            NullLoggerFactory.Instance));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Key Vault's challenge auth sends a request without a token first, learns the authority and resource from
        // the 401, then sends it again with the token.
        if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: Token })
        {
            var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized) { RequestMessage = request };
            challenge.Headers.TryAddWithoutValidation(
                "WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/tenant\", resource=\"https://vault.azure.net\"");
            return challenge;
        }

        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(request.Method.Method, request.RequestUri!, body);
        lock (_gate)
        {
            _requests.Add(recorded);
            if (Override(recorded) is { } status)
            {
                return Json(request, status, Error(status == HttpStatusCode.Forbidden ? "Forbidden" : "Injected", "injected by the test", null));
            }

            return Answer(request, recorded);
        }
    }

    private HttpResponseMessage Answer(HttpRequestMessage request, RecordedRequest recorded)
    {
        var segments = recorded.Uri.AbsolutePath.Trim('/').Split('/');
        var (collection, name) = (segments[0], segments.Length > 1 ? segments[1] : "");
        switch (recorded.Method, collection)
        {
            case ("PUT", "secrets"):
                if (_deleted.ContainsKey(name))
                {
                    return Json(request, HttpStatusCode.Conflict, Error(
                        "Conflict", $"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused.", "ObjectIsDeletedButRecoverable"));
                }

                var put = JsonNode.Parse(recorded.Body!)!.AsObject();
                var secret = Bundle(name, (string)put["value"]!, deleted: false);
                secret["contentType"] = put["contentType"]?.DeepClone();
                secret["tags"] = put["tags"]?.DeepClone();
                _secrets[name] = secret;
                return Json(request, HttpStatusCode.OK, secret);

            case ("GET", "secrets"):
                if (!_secrets.TryGetValue(name, out var found))
                {
                    return Json(request, HttpStatusCode.NotFound, Error("SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault.", null));
                }

                var answered = (JsonObject)found.DeepClone();
                if (AnswerAsName is { } other)
                {
                    answered["id"] = $"https://{Host}/secrets/{other}/0123456789abcdef";
                }

                return Json(request, HttpStatusCode.OK, answered);

            case ("DELETE", "secrets"):
                if (!_secrets.Remove(name, out var removed))
                {
                    return Json(request, HttpStatusCode.NotFound, Error("SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault.", null));
                }

                var deleted = Bundle(name, (string)removed["value"]!, deleted: true);
                _deleted[name] = deleted;
                return Json(request, HttpStatusCode.OK, deleted);

            case ("GET", "deletedsecrets"):
                return _deleted.TryGetValue(name, out var deletedSecret)
                    ? Json(request, HttpStatusCode.OK, deletedSecret)
                    : Json(request, HttpStatusCode.NotFound, Error("SecretNotFound", $"Deleted Secret not found: {name}", null));

            case ("DELETE", "deletedsecrets"):
                return _deleted.Remove(name)
                    ? new HttpResponseMessage(HttpStatusCode.NoContent) { RequestMessage = request }
                    : Json(request, HttpStatusCode.NotFound, Error("SecretNotFound", $"Deleted Secret not found: {name}", null));

            default:
                return Json(request, HttpStatusCode.BadRequest, Error("BadParameter", $"The fake vault does not serve {recorded.Method} {recorded.Uri}.", null));
        }
    }

    private static JsonObject Bundle(string name, string value, bool deleted)
    {
        var bundle = new JsonObject
        {
            ["value"] = value,
            ["id"] = $"https://{Host}/secrets/{name}/0123456789abcdef",
            ["attributes"] = new JsonObject { ["enabled"] = true, ["created"] = 1_700_000_000, ["updated"] = 1_700_000_000, ["recoveryLevel"] = "Recoverable+Purgeable" },
        };
        if (deleted)
        {
            bundle["recoveryId"] = $"https://{Host}/deletedsecrets/{name}";
            bundle["deletedDate"] = 1_700_000_100;
            bundle["scheduledPurgeDate"] = 1_707_776_100;
        }

        return bundle;
    }

    private static JsonObject Error(string code, string message, string? innerCode)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (innerCode is not null)
        {
            error["innererror"] = new JsonObject { ["code"] = innerCode };
        }

        return new JsonObject { ["error"] = error };
    }

    private static HttpResponseMessage Json(HttpRequestMessage request, HttpStatusCode status, JsonObject body) => new(status)
    {
        RequestMessage = request,
        Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
    };

    private sealed class StaticToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(Token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}

/// <summary>One authenticated request as the vault saw it.</summary>
internal sealed record RecordedRequest(string Method, Uri Uri, string? Body)
{
    /// <summary>Method and path, e.g. <c>DELETE /deletedsecrets/apikey-…</c>: what the assertions compare.</summary>
    public string Line => $"{Method} {Uri.AbsolutePath.TrimEnd('/')}";

    public JsonElement JsonBody => JsonDocument.Parse(Body!).RootElement;
}
