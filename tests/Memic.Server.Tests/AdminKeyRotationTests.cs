using System.Net;
using System.Text.Json;
using Memic.Core.Errors;
using Memic.Core.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// The generated admin key can be rotated (<c>admin-key rotate</c>) and is revoked once <c>MEMIC_ADMIN_KEY</c> is set, so
/// a key printed on a first start does not keep working forever. Real processes on one data directory.
/// </summary>
public sealed class AdminKeyRotationTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-admin-key-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static async Task<HttpStatusCode> ListEnvironmentsAsync(string url, string adminKey)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);
        return (await client.GetAsync("/api/admin/v1/environments", Ct)).StatusCode;
    }

    [Fact]
    public async Task Rotating_revokes_the_generated_key_and_setting_MEMIC_ADMIN_KEY_revokes_the_rotated_one()
    {
        string generated;
        await using (var first = ServerProcess.StartServer(_dataDirectory))
        {
            var url = (await first.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;
            generated = (await first.WaitForAsync(ServerProcess.AdminKeyLine(), StartTimeout, Ct)).Groups["key"].Value;
            Assert.Equal(HttpStatusCode.OK, await ListEnvironmentsAsync(url, generated));
        }

        var (exitCode, output) = await ServerProcess.RunCommandAsync(_dataDirectory, Ct, "admin-key", "rotate");
        Assert.True(exitCode == 0, output);
        using var printed = JsonDocument.Parse(output.Split('\n').Single(line => line.StartsWith('{')));
        var rotated = printed.RootElement.GetProperty("admin_key").GetString()!;
        Assert.StartsWith("mk_admin_", rotated, StringComparison.Ordinal);
        Assert.NotEqual(generated, rotated);

        await using (var second = ServerProcess.StartServer(_dataDirectory))
        {
            var url = (await second.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;
            Assert.Equal(HttpStatusCode.Unauthorized, await ListEnvironmentsAsync(url, generated));
            Assert.Equal(HttpStatusCode.OK, await ListEnvironmentsAsync(url, rotated));
        }

        var configured = ApiKeyFormat.NewAdminKey();
        await using (var third = ServerProcess.StartServer(_dataDirectory, new Dictionary<string, string> { ["MEMIC_ADMIN_KEY"] = configured }))
        {
            var url = (await third.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;
            Assert.Equal(HttpStatusCode.Unauthorized, await ListEnvironmentsAsync(url, rotated));
            Assert.Equal(HttpStatusCode.OK, await ListEnvironmentsAsync(url, configured));
        }
    }

    [Fact]
    public async Task A_configured_admin_key_is_not_rotated_by_the_command()
    {
        using var server = new MemicServerFactory();
        _ = server.Services;

        var error = await Assert.ThrowsAsync<ConflictException>(() => server.Services.GetRequiredService<AdminKeyService>().RotateAsync(Ct));

        Assert.Contains("MEMIC_ADMIN_KEY", error.Message, StringComparison.Ordinal);
    }
}
