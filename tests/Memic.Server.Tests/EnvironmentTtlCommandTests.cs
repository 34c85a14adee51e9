using System.Text.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>The server's admin command takes <c>--ttl</c> (docs/branch-environments.md).</summary>
public sealed class EnvironmentTtlCommandTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-ttl-command-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS temp cleaner.
        }
    }

    [Fact]
    public async Task Environments_create_with_ttl_72h_expires_72_hours_from_now()
    {
        using (var server = new MemicServerFactory { SharedDataDirectory = _dataDirectory })
        {
            // First start creates the default project the command creates the environment in.
            server.CreateClient().Dispose();
        }

        var before = DateTimeOffset.UtcNow;

        var (exitCode, output) = await ServerProcess.RunCommandAsync(_dataDirectory, Ct, "environments", "create", "--slug", "pr-42", "--ttl", "72h");

        Assert.True(exitCode == 0, output);
        using var created = JsonDocument.Parse(output);
        var expiresAt = created.RootElement.GetProperty("environment").GetProperty("expires_at").GetDateTimeOffset();
        Assert.InRange(expiresAt, before.AddHours(72).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(72).AddSeconds(1));
        Assert.StartsWith("mk_", created.RootElement.GetProperty("api_key").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("72h", 72.0)]
    [InlineData("90m", 1.5)]
    [InlineData("7d", 168.0)]
    [InlineData("0.5h", 0.5)]
    public void Lifetimes_read_as_minutes_hours_or_days(string text, double hours)
    {
        Assert.Equal(TimeSpan.FromHours(hours), Memic.Server.AdminCommands.ParseLifetime(text));
    }

    [Theory]
    [InlineData("72")]
    [InlineData("h")]
    [InlineData("0h")]
    [InlineData("-3h")]
    [InlineData("3w")]
    [InlineData("NaNh")]
    public void Anything_else_is_not_a_lifetime(string text)
    {
        Assert.Null(Memic.Server.AdminCommands.ParseLifetime(text));
    }
}
