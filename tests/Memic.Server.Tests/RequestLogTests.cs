using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>At the default level the server logs one line of its own per request, and never a key or query text.</summary>
public sealed partial class RequestLogTests : IDisposable
{
    private const int Requests = 100;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-request-log-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_hundred_requests_log_about_a_hundred_lines_each_naming_the_route_status_and_environment()
    {
        await using var server = ServerProcess.StartServer(_dataDirectory);
        var url = (await server.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;
        var key = (await server.WaitForAsync(ServerProcess.ApiKeyLine(), StartTimeout, Ct)).Groups["key"].Value;
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        await server.DrainAsync(TimeSpan.FromSeconds(2));
        var before = server.Seen.Count;

        for (var i = 0; i < Requests; i++)
        {
            using var response = await client.GetAsync($"/api/v1/files?page_size=5&reference_id=secret-{i}", Ct);
            response.EnsureSuccessStatusCode();
        }

        for (var i = 0; i < Requests; i++)
        {
            await server.WaitForAsync(RequestLine(), StartTimeout, Ct);
        }

        await server.DrainAsync(TimeSpan.FromSeconds(1));
        var logged = server.Seen.Skip(before).ToList();
        var requestLines = logged.Where(line => RequestLine().IsMatch(line)).ToList();
        Assert.Equal(Requests, requestLines.Count);
        Assert.True(logged.Count <= Requests + 10, $"{logged.Count} lines for {Requests} requests:\n{string.Join('\n', logged.Take(20))}");
        Assert.All(requestLines, line => Assert.Matches(@"GET /api/v1/files 200 in [\d.]+ ms \(request [0-9a-f-]{36}, environment [0-9a-f-]{36}\)", line));
        Assert.DoesNotContain(logged, line => line.Contains(key, StringComparison.Ordinal) || line.Contains("secret-", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"RequestLogMiddleware\[\d+\] GET /api/v1/files ")]
    private static partial Regex RequestLine();
}
