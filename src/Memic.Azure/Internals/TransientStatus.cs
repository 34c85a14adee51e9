namespace Memic.Azure.Internals;

/// <summary>What every remote service of the app answers when trying again later may succeed: 408, 429 and every 5xx.</summary>
internal static class TransientStatus
{
    public static bool Is(int status) => status is 408 or 429 or >= 500;
}
