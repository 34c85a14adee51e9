namespace Memic.Core.Users;

/// <summary>How long a dashboard session lasts (<c>Memic:Sessions</c>).</summary>
public sealed class SessionOptions
{
    public const string Section = "Memic:Sessions";

    /// <summary>A session ends this long after sign-in, however active it is.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A session ends when unused for this long.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The owner's password on first start (<c>MEMIC_OWNER_PASSWORD</c>); generated and printed once when empty.</summary>
    public string? OwnerPassword { get; set; }
}
