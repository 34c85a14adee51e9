namespace Memic.Core.Users;

/// <summary>
/// Password hashing, behind a port so Core stays free of ASP.NET Core; the HTTP layer implements it with ASP.NET Core
/// Identity's <c>PasswordHasher</c> (no home-made hashing).
/// </summary>
public interface IUserPasswordHasher
{
    string Hash(string password);

    /// <summary>True when <paramref name="password"/> matches <paramref name="hash"/>.</summary>
    bool Verify(string hash, string password);
}
