using System.Net;
using System.Text.Json;
using Azure;
using Memic.Azure.KeyVault;
using Memic.Core.Errors;
using Memic.Core.Keys;
using Microsoft.Extensions.Logging;

namespace Memic.Azure.Tests.Keys;

/// <summary>The REST calls the Key Vault key store makes, and how it reads the vault's answers.</summary>
public sealed class KeyVaultKeyStoreTests : IDisposable
{
    private readonly FakeKeyVault _vault = new();
    private readonly RecordingLogger _logger = new();
    private readonly KeyVaultKeyStore _store;

    public KeyVaultKeyStoreTests()
    {
        _store = new KeyVaultKeyStore(_vault.Client(), _logger);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task Put_writes_a_secret_named_by_the_hash_whose_value_holds_the_ids_and_never_the_key()
    {
        var key = ApiKeyFormat.NewEnvironmentKey();
        var hash = ApiKeyFormat.Hash(key);
        var binding = new ApiKeyBinding(hash, KeyScope.Environment, Guid.NewGuid(), Guid.NewGuid());

        await _store.PutAsync(binding, Ct);

        var request = Assert.Single(_vault.Requests);
        Assert.Equal($"PUT /secrets/apikey-{Convert.ToHexStringLower(hash)}", request.Line);
        Assert.StartsWith("api-version=", request.Uri.Query.TrimStart('?'), StringComparison.Ordinal);
        Assert.DoesNotContain(key, request.Body!, StringComparison.Ordinal);
        Assert.DoesNotContain(key[ApiKeyFormat.EnvironmentPrefix.Length..], request.Body!, StringComparison.Ordinal);
        Assert.Equal("application/json", request.JsonBody.GetProperty("contentType").GetString());
        var tags = request.JsonBody.GetProperty("tags");
        Assert.Equal("environment", tags.GetProperty("scope").GetString());
        Assert.Equal(binding.EnvironmentId!.Value.ToString("D"), tags.GetProperty("environment_id").GetString());
        using var value = JsonDocument.Parse(request.JsonBody.GetProperty("value").GetString()!);
        Assert.Equal(
            ["environment", binding.KeyId.ToString("D"), binding.EnvironmentId.Value.ToString("D")],
            [value.RootElement.GetProperty("scope").GetString(), value.RootElement.GetProperty("key_id").GetString(), value.RootElement.GetProperty("environment_id").GetString()]);
        Assert.Equal(3, value.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public async Task Admin_binding_is_written_without_an_environment()
    {
        var hash = ApiKeyFormat.Hash(ApiKeyFormat.NewAdminKey());

        await _store.PutAsync(new ApiKeyBinding(hash, KeyScope.Admin, Guid.NewGuid(), null), Ct);

        var body = Assert.Single(_vault.Requests).JsonBody;
        Assert.False(body.GetProperty("tags").TryGetProperty("environment_id", out _));
        using var value = JsonDocument.Parse(body.GetProperty("value").GetString()!);
        Assert.Equal("admin", value.RootElement.GetProperty("scope").GetString());
        Assert.False(value.RootElement.TryGetProperty("environment_id", out _));
    }

    [Fact]
    public async Task Find_gets_the_secret_by_name_and_reads_the_binding_from_its_value()
    {
        var hash = ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey());
        var binding = new ApiKeyBinding(hash, KeyScope.Environment, Guid.NewGuid(), Guid.NewGuid());
        await _store.PutAsync(binding, Ct);

        var found = await _store.FindAsync(hash, Ct);

        Assert.Equal($"GET /secrets/apikey-{Convert.ToHexStringLower(hash)}", _vault.Requests[^1].Line);
        Assert.NotNull(found);
        Assert.Equal((binding.Scope, binding.KeyId, binding.EnvironmentId), (found.Scope, found.KeyId, found.EnvironmentId));
        Assert.Equal(hash, found.KeyHash);
    }

    [Fact]
    public async Task Find_of_an_unknown_hash_is_null()
    {
        var hash = ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey());

        var found = await _store.FindAsync(hash, Ct);

        Assert.Null(found);
        Assert.Equal($"GET /secrets/apikey-{Convert.ToHexStringLower(hash)}", Assert.Single(_vault.Requests).Line);
    }

    [Fact]
    public async Task Find_refuses_a_secret_answered_under_another_name()
    {
        var hash = ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey());
        await _store.PutAsync(new ApiKeyBinding(hash, KeyScope.Environment, Guid.NewGuid(), Guid.NewGuid()), Ct);
        _vault.AnswerAsName = "apikey-" + Convert.ToHexStringLower(ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey()));

        await Assert.ThrowsAsync<InvalidDataException>(() => _store.FindAsync(hash, Ct));
    }

    [Fact]
    public async Task Delete_deletes_waits_for_the_deletion_then_purges()
    {
        var hash = ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey());
        var name = "apikey-" + Convert.ToHexStringLower(hash);
        await _store.PutAsync(new ApiKeyBinding(hash, KeyScope.Environment, Guid.NewGuid(), Guid.NewGuid()), Ct);

        await _store.DeleteAsync(hash, Ct);

        Assert.Equal(
            [$"DELETE /secrets/{name}", $"GET /deletedsecrets/{name}", $"DELETE /deletedsecrets/{name}"],
            _vault.Requests.Skip(1).Select(r => r.Line));
        Assert.False(_vault.HoldsDeleted(name));
        Assert.Null(await _store.FindAsync(hash, Ct));
    }

    [Fact]
    public async Task Deleting_an_absent_binding_still_purges_a_leftover_and_succeeds_when_there_is_none()
    {
        var leftover = ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey());
        var leftoverName = "apikey-" + Convert.ToHexStringLower(leftover);
        _vault.AddDeleted(leftoverName);
        var absent = ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey());

        await _store.DeleteAsync(leftover, Ct);
        await _store.DeleteAsync(absent, Ct);

        Assert.False(_vault.HoldsDeleted(leftoverName));
        Assert.Equal(
            [$"DELETE /secrets/{leftoverName}", $"DELETE /deletedsecrets/{leftoverName}",
             $"DELETE /secrets/apikey-{Convert.ToHexStringLower(absent)}", $"DELETE /deletedsecrets/apikey-{Convert.ToHexStringLower(absent)}"],
            _vault.Requests.Select(r => r.Line));
    }

    [Fact]
    public async Task Refused_purge_is_logged_and_the_binding_stays_deleted()
    {
        var hash = ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey());
        var name = "apikey-" + Convert.ToHexStringLower(hash);
        await _store.PutAsync(new ApiKeyBinding(hash, KeyScope.Environment, Guid.NewGuid(), Guid.NewGuid()), Ct);
        _vault.Override = r => r.Line.StartsWith("DELETE /deletedsecrets/", StringComparison.Ordinal) ? HttpStatusCode.Forbidden : null;

        await _store.DeleteAsync(hash, Ct);

        Assert.Null(await _store.FindAsync(hash, Ct));
        Assert.True(_vault.HoldsDeleted(name));
        var warning = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(name, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_over_a_deleted_but_recoverable_secret_purges_it_and_writes_again()
    {
        var hash = ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey());
        var name = "apikey-" + Convert.ToHexStringLower(hash);
        _vault.AddDeleted(name);
        var binding = new ApiKeyBinding(hash, KeyScope.Environment, Guid.NewGuid(), Guid.NewGuid());

        await _store.PutAsync(binding, Ct);

        Assert.Equal([$"PUT /secrets/{name}", $"DELETE /deletedsecrets/{name}", $"PUT /secrets/{name}"], _vault.Requests.Select(r => r.Line));
        Assert.Equal(binding.KeyId, (await _store.FindAsync(hash, Ct))?.KeyId);
    }

    [Fact]
    public async Task Conflict_that_is_not_a_deleted_secret_reaches_the_caller()
    {
        var hash = ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey());
        _vault.Override = r => r.Method == "PUT" ? HttpStatusCode.Conflict : null;

        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => _store.PutAsync(new ApiKeyBinding(hash, KeyScope.Environment, Guid.NewGuid(), Guid.NewGuid()), Ct));

        Assert.Equal(409, error.Status);
        Assert.Equal(2, _vault.Requests.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Busy_or_failing_vault_is_transient_for_every_operation(HttpStatusCode status)
    {
        var hash = ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey());
        _vault.Override = _ => status;

        await Assert.ThrowsAsync<TransientException>(() => _store.PutAsync(new ApiKeyBinding(hash, KeyScope.Admin, Guid.NewGuid(), null), Ct));
        await Assert.ThrowsAsync<TransientException>(() => _store.FindAsync(hash, Ct));
        await Assert.ThrowsAsync<TransientException>(() => _store.DeleteAsync(hash, Ct));
    }

    [Fact]
    public async Task Forbidden_read_reaches_the_caller_untranslated()
    {
        _vault.Override = _ => HttpStatusCode.Forbidden;

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _store.FindAsync(ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey()), Ct));

        Assert.Equal(403, error.Status);
    }

    private sealed class RecordingLogger : ILogger<KeyVaultKeyStore>
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
