using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// POST /api/admin/v1/environments over HTTP when provisioning takes minutes (a search service to deploy): 202 with the
/// environment provisioning and its first key, finished by the local server's background worker; the key works from
/// the moment the environment is ready.
/// </summary>
public sealed class BackgroundProvisioningTests
{
    private const string SlowSlug = "growing";

    [Fact]
    public async Task Slow_provisioning_answers_202_with_a_key_that_works_once_the_background_makes_the_environment_ready()
    {
        var slow = new SlowResource(SlowSlug);
        await using var server = new MemicServerFactory
        {
            // Short, so a key refused while provisioning is looked up again soon after.
            Settings = new Dictionary<string, string> { ["Memic:Keys:NegativeCacheTtl"] = "00:00:00.100" },
            TestServices = services => services.AddSingleton<IEnvironmentResources>(slow),
        };
        using var admin = server.AdminClient();

        var response = await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = SlowSlug }, Ct);

        var body = await response.ExpectAsync(HttpStatusCode.Accepted);
        var environment = body.GetProperty("environment");
        var id = environment.GetProperty("id").GetGuid();
        var key = body.GetProperty("api_key").GetString()!;
        Assert.Equal("provisioning", environment.GetProperty("status").GetString());
        Assert.StartsWith("mk_live_", key, StringComparison.Ordinal);
        using var data = server.DataClient(key);

        await slow.WaitUntilStartedAsync(Ct);
        var polled = await (await admin.GetAsync($"/api/admin/v1/environments/{id}", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("provisioning", polled.GetProperty("status").GetString());
        await (await data.GetAsync("/api/v1/me", Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");

        slow.Release();

        Assert.Equal("ready", await PollStatusAsync(admin, id, "ready"));
        var me = await WaitForStatusAsync(() => data.GetAsync("/api/v1/me", Ct), HttpStatusCode.OK);
        Assert.Equal(id, me.GetProperty("environment_id").GetGuid());
    }

    [Fact]
    public async Task Fast_provisioning_still_answers_201_with_a_ready_environment()
    {
        var slow = new SlowResource(SlowSlug);
        await using var server = new MemicServerFactory { TestServices = services => services.AddSingleton<IEnvironmentResources>(slow) };
        using var admin = server.AdminClient();

        var response = await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = "quick" }, Ct);

        var body = await response.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("ready", body.GetProperty("environment").GetProperty("status").GetString());
    }

    /// <summary>Polls GET /environments/{id} the way a signup flow does, until the status is reached or the test gives up.</summary>
    private static async Task<string?> PollStatusAsync(HttpClient admin, Guid id, string wanted)
    {
        var clock = Stopwatch.StartNew();
        string? status;
        do
        {
            var environment = await (await admin.GetAsync($"/api/admin/v1/environments/{id}", Ct)).ExpectAsync(HttpStatusCode.OK);
            status = environment.GetProperty("status").GetString();
            if (status == wanted)
            {
                break;
            }

            await Task.Yield();
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(30));

        return status;
    }

    private static async Task<System.Text.Json.JsonElement> WaitForStatusAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode wanted)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await send();
            if (response.StatusCode == wanted || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                return await response.ExpectAsync(wanted);
            }

            await Task.Yield();
        }
    }

    /// <summary>A per-environment resource that takes as long as the test says, for one slug only.</summary>
    private sealed class SlowResource(string slug) : IEnvironmentResources
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task WaitUntilStartedAsync(CancellationToken cancellationToken) => _started.Task.WaitAsync(cancellationToken);

        public void Release() => _released.TrySetResult();

        public Task<bool> IsSlowToProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken) =>
            Task.FromResult(environment.Slug == slug);

        public async Task ProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken)
        {
            if (environment.Slug == slug)
            {
                _started.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }
        }

        public Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
