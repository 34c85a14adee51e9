using Azure.Storage.Queues;
using Memic.Azure.Queues;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Functions.Http;
using Memic.Functions.Provisioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memic.Functions.Tests;

/// <summary>
/// In Azure an environment that needs a new search service is answered 202 and finished by a queue trigger: the create
/// puts a message on the memic-provisioning storage queue, and CompleteEnvironmentProvisioning makes it ready.
/// </summary>
public sealed class ProvisioningTriggerTests : IAsyncLifetime
{
    private const string SlowSlug = "growing";

    private readonly FunctionsTestHost _host = new()
    {
        // Short, so the key refused while provisioning is looked up again right after.
        Settings = new Dictionary<string, string?> { ["Memic:Keys:NegativeCacheTtl"] = "00:00:00.001" },
        TestServices = services =>
        {
            services.AddSingleton<IEnvironmentResources>(new SlowResource(SlowSlug));
            services.AddSingleton<IProvisioningQueue>(new AzureStorageProvisioningQueue(
                AzuriteQueues.Ingestion(AzureQueueOptions.DefaultQueueName),
                NullLogger<AzureStorageProvisioningQueue>.Instance));
        },
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _host.InitializeAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_202_create_is_queued_and_the_queue_trigger_makes_it_ready_so_its_key_works()
    {
        await Azurite.RequireAsync();
        var admin = _host.Create<AdminFunctions>();
        var account = _host.Create<AccountFunctions>();

        var created = await FunctionsTestHost.InvokeAsync(
            _host.Request("POST", "/api/admin/v1/environments", adminKey: _host.AdminKey, json: new { slug = SlowSlug }), admin.AdminCreateEnvironment);

        Assert.Equal(202, created.Status);
        var id = created.Body.GetProperty("environment").GetProperty("id").GetGuid();
        var key = created.Body.GetProperty("api_key").GetString()!;
        Assert.Equal("provisioning", created.Body.GetProperty("environment").GetProperty("status").GetString());
        Assert.Equal(401, (await FunctionsTestHost.InvokeAsync(_host.Request("GET", "/api/v1/me", apiKey: key), account.GetMe)).Status);

        var message = await ReceiveMessageForAsync(id);
        await _host.Create<ProvisioningFunctions>().CompleteEnvironmentProvisioning(message, Ct);

        var polled = await FunctionsTestHost.InvokeAsync(_host.Request("GET", $"/api/admin/v1/environments/{id}", adminKey: _host.AdminKey), admin.AdminGetEnvironment);
        Assert.Equal("ready", polled.Body.GetProperty("status").GetString());
        var me = await FunctionsTestHost.InvokeAsync(_host.Request("GET", "/api/v1/me", apiKey: key), account.GetMe);
        Assert.Equal(200, me.Status);
        Assert.Equal(id, me.Body.GetProperty("environment_id").GetGuid());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"environment_id\":\"nope\"}")]
    [InlineData("{\"environment_id\":\"0b6f7c1e-3a52-4c55-bb0e-6a3e4d1f2c90\"}")]
    public async Task Malformed_or_unknown_messages_complete_without_retry(string message)
    {
        var run = _host.Create<ProvisioningFunctions>().CompleteEnvironmentProvisioning(message, Ct);

        await run;
        Assert.True(run.IsCompletedSuccessfully);
    }

    /// <summary>Takes this test's message off the shared queue (others may hold messages for other environments).</summary>
    private static async Task<string> ReceiveMessageForAsync(Guid environmentId)
    {
        var reader = new QueueClient(Azurite.ConnectionString, AzureStorageProvisioningQueue.QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        while (true)
        {
            var messages = (await reader.ReceiveMessagesAsync(maxMessages: 32, visibilityTimeout: TimeSpan.FromSeconds(1), cancellationToken: Ct)).Value;
            foreach (var message in messages)
            {
                if (ProvisioningMessage.TryParse(message.Body.ToString())?.EnvironmentId == environmentId)
                {
                    await reader.DeleteMessageAsync(message.MessageId, message.PopReceipt, Ct);
                    return message.Body.ToString();
                }
            }

            Assert.NotEmpty(messages); // the create enqueued before answering, so ours is there
        }
    }

    private sealed class SlowResource(string slug) : IEnvironmentResources
    {
        public Task<bool> IsSlowToProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken) =>
            Task.FromResult(environment.Slug == slug);

        public Task ProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
