using Memic.Core.Quotas;

namespace Memic.Core.Ports;

/// <summary>Per-environment quotas, and what an environment holds, which its storage quotas are checked against.</summary>
public interface IQuotaCatalog
{
    /// <summary>The environment's quotas; <see cref="EnvironmentQuotas.Unlimited"/> when none were set.</summary>
    Task<EnvironmentQuotas> GetQuotasAsync(Guid environmentId, CancellationToken cancellationToken);

    /// <summary>Replaces the environment's quotas; the environment must exist.</summary>
    Task SetQuotasAsync(Guid environmentId, EnvironmentQuotas quotas, CancellationToken cancellationToken);

    Task<EnvironmentHoldings> GetHoldingsAsync(Guid environmentId, CancellationToken cancellationToken);
}
