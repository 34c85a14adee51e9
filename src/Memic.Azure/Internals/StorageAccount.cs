using System.Data.Common;

namespace Memic.Azure.Internals;

/// <summary>
/// How an adapter reaches its storage account: a connection string for Azurite during development, or the service
/// URI with a token from the app's one credential (the managed identity in Azure), never an account key. The clients
/// themselves are registered in <see cref="DependencyInjection"/>.
/// </summary>
internal static class StorageAccount
{
    /// <summary>The account name Azurite serves; a connection string naming it is an emulator's whatever its host.</summary>
    private const string AzuriteAccountName = "devstoreaccount1";

    private static readonly string[] EndpointSettings = ["BlobEndpoint", "TableEndpoint", "QueueEndpoint"];

    /// <summary>Why the settings cannot work, naming the setting to fix; null when they can.</summary>
    public static string? Check(string section, string? connectionString, Uri? serviceUri)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(connectionString);
        if (hasConnectionString == (serviceUri is not null))
        {
            return hasConnectionString
                ? $"Set only one of {section}:ServiceUri and {section}:ConnectionString."
                : $"{section}:ServiceUri (managed identity) or {section}:ConnectionString (Azurite) must be set.";
        }

        if (serviceUri is not null)
        {
            return serviceUri.IsAbsoluteUri && (serviceUri.Scheme == Uri.UriSchemeHttps || serviceUri.IsLoopback)
                ? null
                : $"{section}:ServiceUri must be an absolute https URI, e.g. https://<account>.blob.core.windows.net.";
        }

        return IsEmulator(connectionString!)
            ? null
            : $"{section}:ConnectionString is accepted for Azurite only (UseDevelopmentStorage=true or a loopback endpoint); " +
              $"in Azure set {section}:ServiceUri and grant the app's managed identity a data role on the account.";
    }

    private static bool IsEmulator(string connectionString)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (builder.TryGetValue("UseDevelopmentStorage", out var development) && string.Equals(development as string, "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (builder.TryGetValue("AccountName", out var account) && string.Equals(account as string, AzuriteAccountName, StringComparison.Ordinal))
        {
            return true;
        }

        var endpoints = EndpointSettings
            .Select(name => builder.TryGetValue(name, out var value) ? value as string : null)
            .Where(value => !string.IsNullOrWhiteSpace(value))
            .ToList();
        return endpoints.Count > 0 && endpoints.All(e => Uri.TryCreate(e, UriKind.Absolute, out var uri) && uri.IsLoopback);
    }
}
