using Npgsql;

namespace Memic.Connectors.PostgreSql.Internals;

/// <summary>
/// What a connection string may say. Settings that read files on the Memic host (password file, client certificate and
/// key, root certificate) are refused: a tenant must not make the server read its own disk. One host only, so the
/// address that is checked is the one used. A password is required, so no environment variable or password file of
/// the host is ever used in its place.
/// </summary>
internal static class ConnectionSettings
{
    public static NpgsqlConnectionStringBuilder? TryParse(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or InvalidCastException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>Why the string cannot be used, without quoting it; null when it can.</summary>
    public static string? Check(string connectionString)
    {
        if (TryParse(connectionString) is not { } settings)
        {
            return "connection_string is not a valid PostgreSQL connection string (Host=...;Port=5432;Database=...;Username=...;Password=...).";
        }

        if (string.IsNullOrWhiteSpace(settings.Host))
        {
            return "connection_string must name a Host.";
        }

        if (settings.Host.Contains(',', StringComparison.Ordinal))
        {
            return "connection_string must name exactly one Host.";
        }

        if (string.IsNullOrWhiteSpace(settings.Username) || string.IsNullOrEmpty(settings.Password))
        {
            return "connection_string must hold a Username and a Password (use a read-only role, see docs/connectors.md).";
        }

        if (!string.IsNullOrEmpty(settings.Passfile) || !string.IsNullOrEmpty(settings.SslCertificate) || !string.IsNullOrEmpty(settings.SslKey)
            || !string.IsNullOrEmpty(settings.RootCertificate))
        {
            return "connection_string must not name files on this server (Passfile, SSL Certificate, SSL Key, Root Certificate).";
        }

        return null;
    }
}
