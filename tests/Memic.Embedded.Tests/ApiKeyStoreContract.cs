using Memic.Core.Keys;
using Memic.Core.Ports;

namespace Memic.Embedded.Tests;

/// <summary>What every key store adapter must do.</summary>
public abstract class ApiKeyStoreContract
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract IApiKeyStore OpenStore();

    [Fact]
    public async Task Binding_is_found_by_its_hash_and_only_by_it()
    {
        var store = OpenStore();
        var key = ApiKeyFormat.NewEnvironmentKey();
        var binding = new ApiKeyBinding(ApiKeyFormat.Hash(key), KeyScope.Environment, Guid.NewGuid(), Guid.NewGuid());

        await store.PutAsync(binding, Ct);

        var found = await store.FindAsync(ApiKeyFormat.Hash(key), Ct);
        Assert.NotNull(found);
        Assert.Equal(binding.KeyId, found.KeyId);
        Assert.Equal(binding.EnvironmentId, found.EnvironmentId);
        Assert.Equal(binding.KeyHash, found.KeyHash);
        Assert.Null(await store.FindAsync(ApiKeyFormat.Hash(key + "x"), Ct));
    }

    [Fact]
    public async Task Admin_binding_has_no_environment()
    {
        var store = OpenStore();
        var key = ApiKeyFormat.NewAdminKey();
        await store.PutAsync(new ApiKeyBinding(ApiKeyFormat.Hash(key), KeyScope.Admin, Guid.NewGuid(), null), Ct);

        var found = await store.FindAsync(ApiKeyFormat.Hash(key), Ct);

        Assert.Equal(KeyScope.Admin, found!.Scope);
        Assert.Null(found.EnvironmentId);
    }

    [Fact]
    public async Task Deleted_binding_is_gone_and_deleting_again_is_harmless()
    {
        var store = OpenStore();
        var hash = ApiKeyFormat.Hash(ApiKeyFormat.NewEnvironmentKey());
        await store.PutAsync(new ApiKeyBinding(hash, KeyScope.Environment, Guid.NewGuid(), Guid.NewGuid()), Ct);

        await store.DeleteAsync(hash, Ct);
        await store.DeleteAsync(hash, Ct);

        Assert.Null(await store.FindAsync(hash, Ct));
    }
}
