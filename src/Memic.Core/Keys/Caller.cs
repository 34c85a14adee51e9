using Memic.Core.Tenancy;

namespace Memic.Core.Keys;

/// <summary>Who sent a request, as resolved from its key.</summary>
public sealed record Caller(KeyScope Scope, Guid KeyId, EnvironmentContext? Environment)
{
    public bool IsAdmin => Scope == KeyScope.Admin;
}
