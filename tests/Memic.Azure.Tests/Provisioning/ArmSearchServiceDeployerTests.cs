using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Memic.Azure.Provisioning;
using Memic.Azure.Provisioning.Internals;
using Memic.Core.Errors;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Memic.Azure.Tests.Provisioning;

/// <summary>The ARM deployer against a scripted ARM: the exact requests, the long-running wait, and every way it can fail.</summary>
public sealed class ArmSearchServiceDeployerTests : IDisposable
{
    private const string Subscription = "6f1c3e2a-0b7d-4c5e-9f10-2a3b4c5d6e7f";
    private const string Group = "rg-memic-test";
    private const string Service = "srch-pool-2";
    private const string Deployment = $"https://management.azure.com/subscriptions/{Subscription}/resourcegroups/{Group}/providers/Microsoft.Resources/deployments/memic-search-{Service}?api-version=2024-03-01";
    private const string Operation = $"https://management.azure.com/subscriptions/{Subscription}/resourcegroups/{Group}/providers/Microsoft.Resources/deployments/memic-search-{Service}/operationStatuses/08584?api-version=2024-03-01";

    private readonly FakeArm _arm = new();
    private readonly FakeCredential _credential = new();
    private readonly ManualTime _time = new();
    private readonly ArmDeploymentOptions _options = new()
    {
        SubscriptionId = Subscription,
        ResourceGroup = Group,
        Location = "westeurope",
        Sku = "standard",
        ReplicaCount = 2,
        PartitionCount = 3,
        SemanticRanker = "disabled",
        AzdEnvironmentName = "memic-test",
    };

    private ArmSearchServiceDeployer? _deployer;
    private HttpClient? _http;

    /// <summary>The deployer on an HttpClient with production's retry handler, over the scripted ARM, waiting on manual time.</summary>
    private ArmSearchServiceDeployer Deployer =>
        _deployer ??= new ArmSearchServiceDeployer(_options, _credential, Client(), _time, _time.DelayAsync, NullLogger.Instance);

    private HttpClient Client()
    {
        var retry = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }.AddArmRetry(NullLogger.Instance).Build();
        _http = new HttpClient(new ResilienceHandler(retry) { InnerHandler = _arm });
        return _http;
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _http?.Dispose();

    [Fact]
    public async Task Deploy_puts_the_embedded_template_into_the_resource_group_with_the_identity_token()
    {
        ScriptSuccessfulDeployment();

        await Deployer.DeployAsync(Service, Cancel);

        var put = _arm.Requests[0];
        Assert.Equal(HttpMethod.Put, put.Method);
        Assert.Equal(Deployment, put.Uri.AbsoluteUri);
        Assert.Equal($"Bearer {FakeCredential.Token}", put.Authorization);
        Assert.All(_credential.Scopes, scope => Assert.Equal("https://management.azure.com/.default", scope));
        Assert.NotEmpty(_credential.Scopes);

        var properties = JsonNode.Parse(put.Body!)!["properties"]!;
        Assert.Equal("Incremental", (string?)properties["mode"]);
        Assert.True(JsonNode.DeepEquals(EmbeddedTemplate(), properties["template"]), "the template sent is not the embedded compiled search-service.json");
        var expectedParameters = JsonNode.Parse("""
            {
              "name": { "value": "srch-pool-2" },
              "location": { "value": "westeurope" },
              "sku": { "value": "standard" },
              "replicaCount": { "value": 2 },
              "partitionCount": { "value": 3 },
              "hostingMode": { "value": "Default" },
              "semanticRanker": { "value": "disabled" },
              "tags": { "value": { "azd-env-name": "memic-test" } }
            }
            """);
        Assert.True(
            JsonNode.DeepEquals(expectedParameters, properties["parameters"]),
            $"parameters sent: {properties["parameters"]!.ToJsonString()}");
    }

    [Fact]
    public void Every_parameter_sent_is_declared_by_the_template()
    {
        var declared = EmbeddedTemplate()["parameters"]!.AsObject().Select(p => p.Key).ToHashSet();
        var sent = JsonNode.Parse(Deployer.RequestBody(Service))!["properties"]!["parameters"]!.AsObject().Select(p => p.Key).ToList();

        Assert.All(sent, name => Assert.Contains(name, declared));
        // Roles are granted on the resource group, so the deployer never asks the template to create role assignments.
        Assert.DoesNotContain("principalId", sent);
    }

    [Fact]
    public void Optional_parameters_are_left_to_the_template_defaults_when_not_configured()
    {
        _options.Location = null;
        _options.AzdEnvironmentName = "";

        var sent = JsonNode.Parse(Deployer.RequestBody(Service))!["properties"]!["parameters"]!.AsObject();

        Assert.False(sent.ContainsKey("location"));
        Assert.False(sent.ContainsKey("tags"));
    }

    [Fact]
    public async Task Deploy_polls_the_async_operation_honouring_retry_after_until_it_succeeds()
    {
        _arm.Then(HttpStatusCode.Created, Accepted, ("Azure-AsyncOperation", Operation), ("Retry-After", "3"))
            .Then(HttpStatusCode.OK, """{"status":"Running"}""", ("Retry-After", "7"))
            .Then(HttpStatusCode.OK, """{"status":"Running"}""")
            .Then(HttpStatusCode.OK, """{"status":"Succeeded"}""")
            .Then(HttpStatusCode.OK, Succeeded("https://srch-pool-2.search.windows.net"));

        var location = await Deployer.DeployAsync(Service, Cancel);

        Assert.Equal(new Memic.Azure.Search.Pool.SearchServiceLocation(Service, new Uri("https://srch-pool-2.search.windows.net")), location);
        Assert.Equal(
            [(HttpMethod.Put, Deployment), (HttpMethod.Get, Operation), (HttpMethod.Get, Operation), (HttpMethod.Get, Operation), (HttpMethod.Get, Deployment)],
            _arm.Requests.Select(r => (r.Method, r.Uri.AbsoluteUri)));
        // Retry-After where ARM gave one, the default interval where it did not.
        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(7), ArmSearchServiceDeployer.DefaultPollInterval], _time.Waits);
        Assert.All(_arm.Requests, r => Assert.Equal($"Bearer {FakeCredential.Token}", r.Authorization));
    }

    [Fact]
    public async Task Endpoint_comes_from_the_deployment_outputs_when_the_template_gives_one()
    {
        ScriptSuccessfulDeployment(endpoint: "https://srch-pool-2.search.azure.us");

        var location = await Deployer.DeployAsync(Service, Cancel);

        Assert.Equal(new Uri("https://srch-pool-2.search.azure.us"), location.Endpoint);
    }

    [Fact]
    public async Task Without_an_endpoint_output_the_public_cloud_endpoint_is_assumed()
    {
        ScriptSuccessfulDeployment(endpoint: null);

        var location = await Deployer.DeployAsync(Service, Cancel);

        Assert.Equal(new Uri("https://srch-pool-2.search.windows.net"), location.Endpoint);
    }

    [Fact]
    public async Task Failed_deployment_throws_with_the_arm_error_code_and_message()
    {
        _arm.Then(HttpStatusCode.Created, Accepted, ("Azure-AsyncOperation", Operation))
            .Then(HttpStatusCode.OK, """{"status":"Failed","error":{"code":"DeploymentFailed","message":"At least one resource deployment operation failed."}}""")
            .Then(HttpStatusCode.OK, """
                {"properties":{"provisioningState":"Failed","error":{"code":"DeploymentFailed","message":"At least one resource deployment operation failed.",
                  "details":[{"code":"ServiceNameUnavailable","message":"The name 'srch-pool-2' is already in use."}]}}}
                """);

        var error = await Assert.ThrowsAsync<SearchServiceDeploymentException>(() => Deployer.DeployAsync(Service, Cancel));

        Assert.Equal("ServiceNameUnavailable", error.ArmErrorCode);
        Assert.Contains("ended Failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("ServiceNameUnavailable: The name 'srch-pool-2' is already in use.", error.Message, StringComparison.Ordinal);
        Assert.Contains("DeploymentFailed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeCredential.Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Canceled_deployment_throws_instead_of_returning_a_service()
    {
        _arm.Then(HttpStatusCode.Created, Accepted)
            .Then(HttpStatusCode.OK, """{"properties":{"provisioningState":"Canceled"}}""")
            .Then(HttpStatusCode.OK, """{"properties":{"provisioningState":"Canceled"}}""");

        var error = await Assert.ThrowsAsync<SearchServiceDeploymentException>(() => Deployer.DeployAsync(Service, Cancel));

        Assert.Contains("ended Canceled", error.Message, StringComparison.Ordinal);
        // No Azure-AsyncOperation header: the deployment itself is polled.
        Assert.Equal(Deployment, _arm.Requests[1].Uri.AbsoluteUri);
    }

    [Fact]
    public async Task Throttled_put_is_retried_after_retry_after_and_then_succeeds()
    {
        _arm.Then(HttpStatusCode.TooManyRequests, """{"error":{"code":"TooManyRequests","message":"Slow down."}}""", ("Retry-After", "9"));
        ScriptSuccessfulDeployment();

        var location = await Deployer.DeployAsync(Service, Cancel);

        Assert.Equal(Service, location.Name);
        Assert.Equal(2, _arm.Requests.Count(r => r.Method == HttpMethod.Put));
        Assert.Equal(_arm.Requests[0].Body, _arm.Requests[1].Body);
        // ARM's Retry-After, not the backoff the deployer would pick without one.
        Assert.Equal(TimeSpan.FromSeconds(9), _time.Waits[0]);
    }

    [Fact]
    public async Task Server_errors_while_polling_are_retried_with_backoff()
    {
        _arm.Then(HttpStatusCode.Created, Accepted, ("Azure-AsyncOperation", Operation))
            .Then(HttpStatusCode.ServiceUnavailable)
            .Then(HttpStatusCode.InternalServerError)
            .Then(HttpStatusCode.OK, """{"status":"Succeeded"}""")
            .Then(HttpStatusCode.OK, Succeeded("https://srch-pool-2.search.windows.net"));

        await Deployer.DeployAsync(Service, Cancel);

        Assert.Equal([ArmSearchServiceDeployer.DefaultPollInterval, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], _time.Waits);
    }

    [Fact]
    public async Task Arm_that_stays_unavailable_gives_a_transient_error_after_a_bounded_number_of_tries()
    {
        for (var i = 0; i < ArmRetry.MaxAttempts; i++)
        {
            _arm.Then(HttpStatusCode.ServiceUnavailable, """{"error":{"code":"ServiceUnavailable","message":"Try later."}}""");
        }

        var error = await Assert.ThrowsAsync<TransientException>(() => Deployer.DeployAsync(Service, Cancel));

        Assert.Equal(ArmRetry.MaxAttempts, _arm.Requests.Count);
        Assert.Contains("503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arm_that_cannot_be_reached_gives_a_transient_error()
    {
        for (var i = 0; i < ArmRetry.MaxAttempts; i++)
        {
            _arm.Then(_ => throw new HttpRequestException("Connection refused"));
        }

        await Assert.ThrowsAsync<TransientException>(() => Deployer.DeployAsync(Service, Cancel));

        Assert.Equal(ArmRetry.MaxAttempts, _arm.Requests.Count);
    }

    [Fact]
    public async Task Missing_permission_fails_at_once_naming_what_the_identity_needs()
    {
        _arm.Then(HttpStatusCode.Forbidden, $$$"""
            {"error":{"code":"AuthorizationFailed","message":"The client 'abc' with object id 'abc' does not have authorization to perform action 'Microsoft.Resources/deployments/write' over scope '/subscriptions/{{{Subscription}}}/resourcegroups/{{{Group}}}'."}}
            """);

        var error = await Assert.ThrowsAsync<SearchServiceDeploymentException>(() => Deployer.DeployAsync(Service, Cancel));

        Assert.Single(_arm.Requests);
        Assert.Equal(403, error.Status);
        Assert.Equal("AuthorizationFailed", error.ArmErrorCode);
        Assert.Contains("'Microsoft.Resources/deployments/write'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Search Service Contributor", error.Message, StringComparison.Ordinal);
        Assert.Contains(Group, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeCredential.Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_resource_group_names_the_settings_to_check()
    {
        _arm.Then(HttpStatusCode.NotFound, """{"error":{"code":"ResourceGroupNotFound","message":"Resource group 'rg-memic-test' could not be found."}}""");

        var error = await Assert.ThrowsAsync<SearchServiceDeploymentException>(() => Deployer.DeployAsync(Service, Cancel));

        Assert.Contains("Memic:Search:Deployment:ResourceGroup", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploying_while_the_same_deployment_runs_waits_for_it()
    {
        _arm.Then(HttpStatusCode.Conflict, """{"error":{"code":"DeploymentActive","message":"The deployment is still active."}}""")
            .Then(HttpStatusCode.OK, """{"properties":{"provisioningState":"Running"}}""")
            .Then(HttpStatusCode.OK, """{"properties":{"provisioningState":"Succeeded"}}""")
            .Then(HttpStatusCode.OK, Succeeded("https://srch-pool-2.search.windows.net"));

        var location = await Deployer.DeployAsync(Service, Cancel);

        Assert.Equal(Service, location.Name);
        Assert.All(_arm.Requests.Skip(1), r => Assert.Equal((HttpMethod.Get, Deployment), (r.Method, r.Uri.AbsoluteUri)));
    }

    [Fact]
    public async Task Same_service_name_always_targets_the_same_deployment()
    {
        ScriptSuccessfulDeployment();
        ScriptSuccessfulDeployment();

        await Deployer.DeployAsync(Service, Cancel);
        await Deployer.DeployAsync(Service, Cancel);

        var puts = _arm.Requests.Where(r => r.Method == HttpMethod.Put).ToList();
        Assert.Equal(2, puts.Count);
        Assert.Equal(puts[0].Uri, puts[1].Uri);
        Assert.Equal(puts[0].Body, puts[1].Body);
    }

    [Fact]
    public async Task Long_service_names_get_a_valid_deployment_name_that_still_tells_them_apart()
    {
        var first = new string('a', 59) + "1";
        var second = new string('a', 59) + "2";
        ScriptSuccessfulDeployment();
        ScriptSuccessfulDeployment();

        await Deployer.DeployAsync(first, Cancel);
        await Deployer.DeployAsync(second, Cancel);

        var names = _arm.Requests.Where(r => r.Method == HttpMethod.Put).Select(r => r.Uri.Segments[^1]).ToList();
        Assert.All(names, name => Assert.InRange(name.Length, 1, 64));
        Assert.NotEqual(names[0], names[1]);
    }

    [Fact]
    public async Task Operation_on_another_host_is_not_sent_the_token()
    {
        _arm.Then(HttpStatusCode.Created, Accepted, ("Azure-AsyncOperation", "https://attacker.example/op"))
            .Then(HttpStatusCode.OK, """{"properties":{"provisioningState":"Succeeded"}}""")
            .Then(HttpStatusCode.OK, Succeeded("https://srch-pool-2.search.windows.net"));

        await Deployer.DeployAsync(Service, Cancel);

        Assert.All(_arm.Requests, r => Assert.Equal("management.azure.com", r.Uri.Host));
    }

    [Fact]
    public async Task Deployment_that_outlasts_the_timeout_gives_a_transient_error_saying_a_retry_resumes()
    {
        _options.Timeout = TimeSpan.FromMinutes(1);
        _arm.Then(HttpStatusCode.Created, Accepted, ("Azure-AsyncOperation", Operation), ("Retry-After", "20"));
        for (var i = 0; i < 3; i++)
        {
            _arm.Then(HttpStatusCode.OK, """{"status":"Running"}""", ("Retry-After", "20"));
        }

        var error = await Assert.ThrowsAsync<TransientException>(() => Deployer.DeployAsync(Service, Cancel));

        Assert.Contains("resumes waiting", error.Message, StringComparison.Ordinal);
        Assert.True(_time.Waits.Sum(w => w.TotalSeconds) <= 60);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("Srch-Pool")]
    [InlineData("-srch")]
    [InlineData("srch--pool")]
    [InlineData("srch_pool")]
    [InlineData("srch-pool\n")]
    public async Task Invalid_service_names_are_refused_before_calling_arm(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Deployer.DeployAsync(name, Cancel));

        Assert.Empty(_arm.Requests);
    }

    private const string Accepted = """{"properties":{"provisioningState":"Accepted"}}""";

    private static string Succeeded(string? endpoint) => endpoint is null
        ? """{"properties":{"provisioningState":"Succeeded","outputs":{}}}"""
        : $$$"""
            {"properties":{"provisioningState":"Succeeded","outputs":{
              "name":{"type":"String","value":"srch-pool-2"},
              "endpoint":{"type":"String","value":"{{{endpoint}}}"},
              "indexCapacity":{"type":"Int","value":50} } } }
            """;

    private void ScriptSuccessfulDeployment(string? endpoint = "https://srch-pool-2.search.windows.net") =>
        _arm.Then(HttpStatusCode.Created, Accepted, ("Azure-AsyncOperation", Operation))
            .Then(HttpStatusCode.OK, """{"status":"Succeeded"}""")
            .Then(HttpStatusCode.OK, Succeeded(endpoint));

    private static JsonNode EmbeddedTemplate()
    {
        using var stream = typeof(ArmSearchServiceDeployer).Assembly.GetManifestResourceStream("Memic.Infra.search-service.json");
        Assert.NotNull(stream);
        var template = JsonNode.Parse(stream)!;
        Assert.Equal(JsonValueKind.Object, template.GetValueKind());
        Assert.Contains("Microsoft.Search/searchServices", template.ToJsonString(), StringComparison.Ordinal);
        return template;
    }
}
