using Memic.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace Memic.Http.Sessions;

/// <summary>Passwords hashed by ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2, versioned format).</summary>
internal sealed class IdentityPasswordHasher : IUserPasswordHasher
{
    private readonly PasswordHasher<MemicUser> _hasher = new();

    // The user is not part of Identity's default hash; any instance serves.
    private static readonly MemicUser Anyone = new(Guid.Empty, Guid.Empty, string.Empty, UserRole.Member, string.Empty, DateTimeOffset.MinValue);

    public string Hash(string password) => _hasher.HashPassword(Anyone, password);

    public bool Verify(string hash, string password)
    {
        try
        {
            return _hasher.VerifyHashedPassword(Anyone, hash, password) is not PasswordVerificationResult.Failed;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
