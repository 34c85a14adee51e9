using System.Globalization;
using Memic.Client.Internals;

namespace Memic.Client;

/// <summary>
/// The management API (CONTRACT §10) under <c>/api/admin/v1</c>, authenticated with the admin key: organizations,
/// projects, environments, their keys, prompts and usage.
/// </summary>
public sealed class MemicAdminClient : IDisposable
{
    private readonly MemicHttp _http;
    private readonly HttpClient? _ownedHttpClient;
    private readonly TimeProvider _time;

    /// <summary>A client configured from <c>MEMIC_ADMIN_KEY</c>, <c>MEMIC_ADMIN_URL</c> and <c>MEMIC_BASE_URL</c>.</summary>
    public MemicAdminClient()
        : this(MemicClientOptions.FromEnvironment())
    {
    }

    /// <summary>A standalone client with its own <see cref="HttpClient"/> and the retry policy of <see cref="MemicRetry"/>.</summary>
    public MemicAdminClient(MemicClientOptions options)
        : this(MemicClient.OwnedHttpClient(options), options, owned: true)
    {
    }

    /// <summary>A client on an <see cref="HttpClient"/> you manage, e.g. from <see cref="IHttpClientFactory"/>.</summary>
    public MemicAdminClient(HttpClient httpClient, MemicClientOptions options)
        : this(httpClient, options, owned: false)
    {
    }

    private MemicAdminClient(HttpClient httpClient, MemicClientOptions options, bool owned)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var adminKey = options.AdminKey ?? throw new InvalidOperationException(
            "No Memic admin key: set MemicClientOptions.AdminKey or the MEMIC_ADMIN_KEY environment variable.");
        _http = new MemicHttp(httpClient, options.ResolveAdminRoot(), "X-Admin-Key", adminKey, options.RequestTimeout);
        _time = options.TimeProvider;
        _ownedHttpClient = owned ? httpClient : null;
    }

    /// <summary>The admin API's root URL, e.g. <c>http://127.0.0.1:8000/api/admin/v1/</c>.</summary>
    public Uri BaseAddress => _http.Root;

    /// <summary>Creates an organization.</summary>
    public Task<MemicOrganization> CreateOrganizationAsync(string name, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "organizations", MemicHttp.Json(new NameBody(name), MemicJsonContext.Default.NameBody),
            MemicJsonContext.Default.MemicOrganization, cancellationToken);

    /// <summary>Creates a project in an organization (the default one when <paramref name="organizationId"/> is null).</summary>
    public Task<MemicProject> CreateProjectAsync(string name, Guid? organizationId = null, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "projects",
            MemicHttp.Json(new CreateProjectBody(name, organizationId), MemicJsonContext.Default.CreateProjectBody),
            MemicJsonContext.Default.MemicProject, cancellationToken);

    /// <summary>Every environment.</summary>
    public Task<IReadOnlyList<MemicEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, "environments", null, MemicJsonContext.Default.IReadOnlyListMemicEnvironment, cancellationToken);

    /// <summary>
    /// Creates an environment and its first key (201), or starts provisioning it (202, status <c>provisioning</c>; see
    /// <see cref="WaitUntilEnvironmentReadyAsync"/>). Idempotent for the same slug.
    /// </summary>
    public Task<CreatedEnvironment> CreateEnvironmentAsync(CreateEnvironmentRequest request, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "environments", MemicHttp.Json(request, MemicJsonContext.Default.CreateEnvironmentRequest),
            MemicJsonContext.Default.CreatedEnvironment, cancellationToken);

    /// <summary>One environment.</summary>
    public Task<MemicEnvironment> GetEnvironmentAsync(Guid environmentId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, $"environments/{environmentId}", null, MemicJsonContext.Default.MemicEnvironment, cancellationToken);

    /// <summary>Polls an environment until it is ready; throws if provisioning fails or outlasts <paramref name="timeout"/>.</summary>
    public async Task<MemicEnvironment> WaitUntilEnvironmentReadyAsync(Guid environmentId, TimeSpan timeout, TimeSpan pollInterval, CancellationToken cancellationToken = default)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            var environment = await GetEnvironmentAsync(environmentId, cancellationToken).ConfigureAwait(false);
            switch (environment.Status)
            {
                case EnvironmentStatus.Ready:
                    return environment;
                case EnvironmentStatus.Failed or EnvironmentStatus.Deleting:
                    throw new InvalidOperationException($"Environment {environment.Slug} ({environmentId}) is {environment.Status}, not provisioning.");
            }

            if (_time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"Environment {environmentId} is still provisioning after {timeout}.");
            }

            await Task.Delay(pollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes an environment with every file, chunk, vector, prompt, folder and key it holds.</summary>
    public Task DeleteEnvironmentAsync(Guid environmentId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"environments/{environmentId}", null, cancellationToken);

    /// <summary>Issues another key for an environment; the plaintext is in the result only.</summary>
    public Task<CreatedApiKey> CreateKeyAsync(Guid environmentId, string? name = null, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, $"environments/{environmentId}/keys", MemicHttp.Json(new NameBody(name), MemicJsonContext.Default.NameBody),
            MemicJsonContext.Default.CreatedApiKey, cancellationToken);

    /// <summary>An environment's keys (never their plaintext).</summary>
    public Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(Guid environmentId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, $"environments/{environmentId}/keys", null, MemicJsonContext.Default.IReadOnlyListApiKeyInfo, cancellationToken);

    /// <summary>Revokes a key; it stops working within the server's key cache lifetime (30 s by default).</summary>
    public Task RevokeKeyAsync(Guid keyId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"keys/{keyId}", null, cancellationToken);

    /// <summary>Creates a prompt version (live unless <paramref name="makeLive"/> is false).</summary>
    public Task<PromptVersion> CreatePromptVersionAsync(Guid environmentId, string name, string body, bool? makeLive = null, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, $"environments/{environmentId}/prompts",
            MemicHttp.Json(new CreatePromptBody(name, body, makeLive), MemicJsonContext.Default.CreatePromptBody),
            MemicJsonContext.Default.PromptVersion, cancellationToken);

    /// <summary>Makes one version of a prompt the live one.</summary>
    public Task<PromptVersion> SetLivePromptVersionAsync(Guid environmentId, string name, int versionNumber, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Put, $"environments/{environmentId}/prompts/{Uri.EscapeDataString(name)}/live",
            MemicHttp.Json(new SetLiveBody(versionNumber), MemicJsonContext.Default.SetLiveBody),
            MemicJsonContext.Default.PromptVersion, cancellationToken);

    /// <summary>Every prompt of an environment with its versions.</summary>
    public Task<IReadOnlyList<MemicPrompt>> ListPromptsAsync(Guid environmentId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, $"environments/{environmentId}/prompts", null, MemicJsonContext.Default.IReadOnlyListMemicPrompt, cancellationToken);

    /// <summary>Deletes a prompt with every version.</summary>
    public Task DeletePromptAsync(Guid environmentId, string name, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"environments/{environmentId}/prompts/{Uri.EscapeDataString(name)}", null, cancellationToken);

    /// <summary>An environment's usage per day between <paramref name="from"/> and <paramref name="to"/> (the last 30 days by default).</summary>
    public Task<EnvironmentUsage> GetUsageAsync(Guid environmentId, DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (from is { } f)
        {
            query.Add("from=" + f.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (to is { } t)
        {
            query.Add("to=" + t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        var path = $"environments/{environmentId}/usage" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty);
        return _http.SendAsync(HttpMethod.Get, path, null, MemicJsonContext.Default.EnvironmentUsage, cancellationToken);
    }

    /// <summary>Disposes the <see cref="HttpClient"/> if this client created it.</summary>
    public void Dispose() => _ownedHttpClient?.Dispose();
}
