using Memic.Core.Embeddings;
using Memic.Core.Ports;
using Memic.Core.Quotas;
using Memic.Core.Search;
using Memic.Core.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Memic.Server.Tests;

/// <summary>Search services built by hand over a given index and embedder, outside a host: usage goes nowhere, no environment has quotas.</summary>
internal sealed class StandaloneSearch : IDisposable
{
    private readonly UsageMeter _usage = new(new NoUsage(), Options.Create(new UsageOptions()), TimeProvider.System, NullLogger<UsageMeter>.Instance);

    public SearchService Over<TEmbedder>(ISearchIndex index, TEmbedder embedder)
        where TEmbedder : IEmbeddingGenerator<string, Embedding<float>>, IEmbeddingModel =>
        new(index, embedder, embedder, _usage, new QuotaService(new NoQuotas(), _usage, Options.Create(new UsageOptions()), TimeProvider.System),
            Options.Create(new EmbeddingModelOptions()), TimeProvider.System);

    public void Dispose() => _usage.Dispose();

    private sealed class NoUsage : IUsageCatalog
    {
        public Task WriteUsageAsync(Guid instanceId, IReadOnlyList<UsageSlice> slices, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<HourlyUsage>> GetUsageAsync(Guid environmentId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<HourlyUsage>>([]);
    }

    private sealed class NoQuotas : IQuotaCatalog
    {
        public Task<EnvironmentQuotas> GetQuotasAsync(Guid environmentId, CancellationToken cancellationToken) => Task.FromResult(EnvironmentQuotas.Unlimited);

        public Task SetQuotasAsync(Guid environmentId, EnvironmentQuotas quotas, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<EnvironmentHoldings> GetHoldingsAsync(Guid environmentId, CancellationToken cancellationToken) => Task.FromResult(new EnvironmentHoldings(0, 0));
    }
}
