using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Core;
using Memic.Azure.Identity;
using Memic.Azure.Internals;
using Memic.Azure.Provisioning.Internals;
using Memic.Azure.Search.Pool;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Provisioning;

/// <summary>
/// Grows the search pool by deploying infra/search-service.bicep (compiled to ARM JSON at build time and embedded) into
/// the pool's resource group through the Azure Resource Manager REST API, then waiting for the deployment to finish.
/// The deployment is named after the service, so a retry after a crash or a timeout repeats or waits for the same one.
/// The app's identity needs Search Service Contributor on the resource group (deployments and search services) and
/// gets data access to the new service through Search Index Data Contributor on the same resource group, so no role
/// assignment is created here. ARM busy or unreachable surfaces as <see cref="TransientException"/>; a refusal or a failed
/// deployment as <see cref="SearchServiceDeploymentException"/> with ARM's error code and message.
/// </summary>
public sealed partial class ArmSearchServiceDeployer : ISearchServiceDeployer
{
    /// <summary>Microsoft.Resources (deployments) API version: GA, and supports everything used here.</summary>
    internal const string ApiVersion = "2024-03-01";

    /// <summary>Between polls when ARM gives no Retry-After.</summary>
    internal static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MinWait = TimeSpan.FromSeconds(1);

    private readonly ArmDeploymentOptions _options;
    private readonly TokenCredential _credential;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly ILogger _logger;
    private readonly string[] _scopes;
    private readonly string _arm;

    /// <param name="http">Its HttpClient (<see cref="ArmRetry.HttpClientName"/>) retries what ARM says is temporary (<see cref="ArmRetry"/>).</param>
    public ArmSearchServiceDeployer(
        IOptions<ArmDeploymentOptions> options, TokenCredential credential, IHttpClientFactory http, TimeProvider time, ILogger<ArmSearchServiceDeployer> logger)
        : this(
            (options ?? throw new ArgumentNullException(nameof(options))).Value,
            credential,
            (http ?? throw new ArgumentNullException(nameof(http))).CreateClient(ArmRetry.HttpClientName),
            time,
            delay: null,
            logger)
    {
    }

    /// <summary>Tests pass a fake credential, a client over a fake ARM and a delay here, so they exercise the same code as production.</summary>
    internal ArmSearchServiceDeployer(
        ArmDeploymentOptions options,
        TokenCredential credential,
        HttpClient http,
        TimeProvider time,
        Func<TimeSpan, CancellationToken, Task>? delay,
        ILogger logger)
    {
        _options = options;
        _credential = credential;
        _http = http;
        _time = time;
        _delay = delay ?? ((wait, cancellationToken) => Task.Delay(wait, time, cancellationToken));
        _logger = logger;
        _arm = options.ArmEndpoint.GetLeftPart(UriPartial.Authority);
        // The token's audience is the ARM endpoint itself, which also makes sovereign clouds work.
        _scopes = [$"{_arm}/.default"];
    }

    public async Task<SearchServiceLocation> DeployAsync(string serviceName, CancellationToken cancellationToken)
    {
        if (serviceName is null || !ServiceName().IsMatch(serviceName) || serviceName.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"'{serviceName}' is not a search service name: 2-60 lowercase letters, digits and single dashes, starting and ending with a letter or digit.",
                nameof(serviceName));
        }

        var deploymentName = ArmDeploymentName.For(serviceName);
        var deployment = DeploymentUri(deploymentName);
        var deadline = _time.GetUtcNow() + _options.Timeout;
        LogDeploying(_logger, serviceName, deploymentName, _options.ResourceGroup, _options.Sku);

        var started = await SendAsync(HttpMethod.Put, deployment, RequestBody(serviceName), cancellationToken).ConfigureAwait(false);
        Uri poll;
        if (started.IsSuccess)
        {
            poll = FollowableOperation(started.AsyncOperation) ?? deployment;
        }
        else if (started is { Status: 409 } && started.Error?.Code == "DeploymentActive")
        {
            // An earlier call (maybe from another instance) started this very deployment: wait for it instead.
            LogAlreadyRunning(_logger, deploymentName);
            poll = deployment;
        }
        else
        {
            throw Refused(started, serviceName);
        }

        var wait = started.RetryAfter;
        string state;
        while (true)
        {
            wait = Clamp(wait ?? DefaultPollInterval);
            if (_time.GetUtcNow() + wait > deadline)
            {
                throw new TransientException(
                    $"The deployment {deploymentName} of search service '{serviceName}' had not finished after {_options.Timeout}; " +
                    "deploying the same service again resumes waiting for it.");
            }

            await _delay(wait.Value, cancellationToken).ConfigureAwait(false);
            var status = await SendAsync(HttpMethod.Get, poll, body: null, cancellationToken).ConfigureAwait(false);
            if (!status.IsSuccess)
            {
                throw Refused(status, serviceName);
            }

            state = status.ProvisioningState ?? "Unknown";
            LogPolled(_logger, deploymentName, state);
            if (state is "Succeeded" or "Failed" or "Canceled")
            {
                break;
            }

            wait = status.RetryAfter;
        }

        // The deployment itself holds the outputs, and a fuller error (with the failed resource's details) than its operation.
        var finished = await SendAsync(HttpMethod.Get, deployment, body: null, cancellationToken).ConfigureAwait(false);
        if (!finished.IsSuccess)
        {
            throw Refused(finished, serviceName);
        }

        if (state != "Succeeded")
        {
            var error = finished.Error;
            LogFailed(_logger, deploymentName, state, error?.RootCause.Code);
            throw new SearchServiceDeploymentException(
                $"The deployment {deploymentName} of search service '{serviceName}' in resource group '{_options.ResourceGroup}' " +
                $"ended {state}: {error?.ToString() ?? "ARM gave no error"}.",
                error?.RootCause.Code);
        }

        var endpoint = Uri.TryCreate(finished.Output("endpoint"), UriKind.Absolute, out var output) && output.Scheme == Uri.UriSchemeHttps
            ? output
            : new Uri($"https://{serviceName}.search.windows.net");
        LogDeployed(_logger, serviceName, endpoint, finished.Output("indexCapacity"));
        return new SearchServiceLocation(serviceName, endpoint);
    }

    /// <summary>The PUT body: the embedded template, incremental (so re-deploying leaves other resources alone), and its parameters.</summary>
    internal string RequestBody(string serviceName)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("properties");
            json.WriteString("mode", "Incremental");
            json.WritePropertyName("template");
            json.WriteRawValue(SearchServiceTemplate.Json);
            json.WriteStartObject("parameters");
            Parameter(json, "name", serviceName);
            if (!string.IsNullOrWhiteSpace(_options.Location))
            {
                Parameter(json, "location", _options.Location);
            }

            Parameter(json, "sku", _options.Sku);
            json.WriteStartObject("replicaCount");
            json.WriteNumber("value", _options.ReplicaCount);
            json.WriteEndObject();
            json.WriteStartObject("partitionCount");
            json.WriteNumber("value", _options.PartitionCount);
            json.WriteEndObject();
            Parameter(json, "hostingMode", _options.HostingMode);
            Parameter(json, "semanticRanker", _options.SemanticRanker);
            if (!string.IsNullOrWhiteSpace(_options.AzdEnvironmentName))
            {
                json.WriteStartObject("tags");
                json.WriteStartObject("value");
                json.WriteString("azd-env-name", _options.AzdEnvironmentName);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            // principalId is left out on purpose: granting roles per service would need roleAssignments/write.
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal Uri DeploymentUri(string deploymentName) => new(
        $"{_arm}/subscriptions/{Uri.EscapeDataString(_options.SubscriptionId ?? string.Empty)}" +
        $"/resourcegroups/{Uri.EscapeDataString(_options.ResourceGroup ?? string.Empty)}" +
        $"/providers/Microsoft.Resources/deployments/{Uri.EscapeDataString(deploymentName)}?api-version={ApiVersion}");

    private static void Parameter(Utf8JsonWriter json, string name, string value)
    {
        json.WriteStartObject(name);
        json.WriteString("value", value);
        json.WriteEndObject();
    }

    /// <summary>
    /// Sends one request; the HttpClient's handler has retried what ARM says is temporary (<see cref="ArmRetry"/>), so a
    /// temporary answer or no answer here is final for now and surfaces as transient.
    /// </summary>
    private async Task<ArmResponse> SendAsync(HttpMethod method, Uri uri, string? body, CancellationToken cancellationToken)
    {
        ArmResponse response;
        try
        {
            response = await SendOnceAsync(method, uri, body, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new TransientException("Azure Resource Manager could not be reached; retry later.", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's own timeout, not the caller's cancellation.
            throw new TransientException("Azure Resource Manager did not answer in time; retry later.", ex);
        }

        return TransientStatus.Is(response.Status)
            ? throw new TransientException(
                $"Azure Resource Manager answered {response.Status} ({response.Error?.Code ?? "no error code"}) {ArmRetry.MaxAttempts} times; retry later.")
            : response;
    }

    private async Task<ArmResponse> SendOnceAsync(HttpMethod method, Uri uri, string? body, CancellationToken cancellationToken)
    {
        var token = await _credential.GetTokenAsync(new TokenRequestContext(_scopes), cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var message = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ArmResponse.ReadAsync(message, _time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The operation to poll, only when it is on ARM itself: the bearer token must never go to another host.</summary>
    private Uri? FollowableOperation(Uri? operation)
    {
        if (operation is null)
        {
            return null;
        }

        if (operation.Scheme == Uri.UriSchemeHttps && operation.GetLeftPart(UriPartial.Authority) == _arm)
        {
            return operation;
        }

        LogForeignOperation(_logger, operation.Host);
        return null;
    }

    private SearchServiceDeploymentException Refused(ArmResponse response, string serviceName)
    {
        var error = response.Error;
        var code = error?.RootCause.Code;
        var what = $"{response.Status} {error?.ToString() ?? "with no error body"}";
        var group = _options.ResourceGroup;
        var message = (response.Status, code) switch
        {
            (403, "RequestDisallowedByPolicy") =>
                $"An Azure Policy forbids deploying search service '{serviceName}' into resource group '{group}' ({what}).",
            (403, _) =>
                $"Azure Resource Manager refused to deploy search service '{serviceName}' into resource group '{group}' ({what}). " +
                "The app's identity needs Microsoft.Resources/deployments/* and Microsoft.Search/searchServices/* on that resource group: " +
                "grant it Search Service Contributor there, as infra/main.bicep does.",
            (401, _) =>
                $"Azure Resource Manager did not accept the app's token ({what}); check the identity " +
                $"({AzureIdentityOptions.Section}:ManagedIdentityClientId or AZURE_CLIENT_ID) and its tenant.",
            (404, "ResourceGroupNotFound" or "SubscriptionNotFound") =>
                $"Resource group '{group}' was not found in subscription '{_options.SubscriptionId}' ({what}); " +
                $"check {ArmDeploymentOptions.Section}:ResourceGroup and :SubscriptionId.",
            _ => $"Azure Resource Manager rejected the deployment of search service '{serviceName}' ({what}).",
        };
        LogRefused(_logger, serviceName, response.Status, code);
        return new SearchServiceDeploymentException(message, code, response.Status);
    }

    private static TimeSpan Clamp(TimeSpan wait) => wait < MinWait ? MinWait : wait > MaxWait ? MaxWait : wait;

    // Azure AI Search service names; "--" is checked separately.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ServiceName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Deploying search service {ServiceName} ({Sku}) as ARM deployment {DeploymentName} in resource group {ResourceGroup}")]
    private static partial void LogDeploying(ILogger logger, string serviceName, string deploymentName, string? resourceGroup, string sku);

    [LoggerMessage(Level = LogLevel.Information, Message = "ARM deployment {DeploymentName} is already running; waiting for it")]
    private static partial void LogAlreadyRunning(ILogger logger, string deploymentName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ARM deployment {DeploymentName} is {ProvisioningState}")]
    private static partial void LogPolled(ILogger logger, string deploymentName, string provisioningState);

    [LoggerMessage(Level = LogLevel.Information, Message = "Search service {ServiceName} is deployed at {Endpoint} (index capacity {IndexCapacity})")]
    private static partial void LogDeployed(ILogger logger, string serviceName, Uri endpoint, string? indexCapacity);

    [LoggerMessage(Level = LogLevel.Error, Message = "ARM deployment {DeploymentName} ended {ProvisioningState} ({ErrorCode})")]
    private static partial void LogFailed(ILogger logger, string deploymentName, string provisioningState, string? errorCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Azure Resource Manager refused the deployment of search service {ServiceName}: {Status} {ErrorCode}")]
    private static partial void LogRefused(ILogger logger, string serviceName, int status, string? errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not following an Azure-AsyncOperation on {Host}, which is not the ARM endpoint; polling the deployment instead")]
    private static partial void LogForeignOperation(ILogger logger, string host);
}
