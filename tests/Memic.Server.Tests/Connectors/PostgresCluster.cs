using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Memic.Server.Tests.Connectors;

/// <summary>
/// A throwaway PostgreSQL cluster for one test collection: initdb into a temporary directory, pg_ctl on a free loopback
/// port, stopped and removed on dispose. PostgreSQL refuses to run as root, so when the tests run as root (as CI does)
/// the server runs as the unprivileged <c>postgres</c> user (Debian's package creates it), falling back to <c>nobody</c>.
/// The <c>shop</c> database holds customers, orders and a salaries table that no connector allow-lists.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    public const string AdminUser = "memic_admin";
    public const string ReadOnlyUser = "memic_ro";
    public const string Database = "shop";

    private string _binaries = "";
    private string? _runAs;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("memic-pg-").FullName;

    public int Port { get; private set; }

    /// <summary>Random per run, so a test can search the data directory and the logs for it.</summary>
    public string AdminPassword { get; } = "adm-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public string ReadOnlyPassword { get; } = "ro-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public string ConnectionString(string user, string password, string host = "127.0.0.1", int? port = null) =>
        $"Host={host};Port={port ?? Port};Database={Database};Username={user};Password={password}";

    public string ReadOnlyConnectionString => ConnectionString(ReadOnlyUser, ReadOnlyPassword);

    /// <summary>The superuser: what a careless customer might hand over. Only Memic's own checks stand between it and the data.</summary>
    public string SuperuserConnectionString => ConnectionString(AdminUser, AdminPassword);

    public async ValueTask InitializeAsync()
    {
        _binaries = FindBinaries();
        _runAs = Environment.UserName == "root" ? UnprivilegedUser() : null;
        var passwordFile = Path.Combine(Directory, "pw");
        await File.WriteAllTextAsync(passwordFile, AdminPassword + "\n");
        if (_runAs is not null)
        {
            await RunAsync("chown", ["-R", _runAs, Directory], asServer: false);
        }

        var data = Path.Combine(Directory, "data");
        await RunAsync(Path.Combine(_binaries, "initdb"), ["-D", data, "-U", AdminUser, "--pwfile=" + passwordFile, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync"], asServer: true);
        File.Delete(passwordFile);
        Port = FreePort();
        await RunAsync(Path.Combine(_binaries, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(Directory, "server.log"), "-w", "-t", "60", "start",
             "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={Directory} -c fsync=off -c full_page_writes=off"],
            asServer: true);

        await PsqlAsync("postgres", $"CREATE DATABASE {Database}");
        await PsqlAsync(Database,
            $"""
            CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, country text NOT NULL, signed_up timestamptz NOT NULL, vip boolean);
            CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers (id), total numeric(10, 2) NOT NULL, placed_on date NOT NULL);
            CREATE TABLE salaries (employee text PRIMARY KEY, amount integer NOT NULL);
            INSERT INTO customers VALUES
              (1, 'Ada', 'UK', '2026-01-05 10:00:00+00', true),
              (2, 'Grace', 'US', '2026-02-10 12:30:00+00', false),
              (3, 'Linus', 'FI', '2026-03-15 08:15:00+00', NULL),
              (4, 'Margaret', 'US', '2026-04-20 16:45:00+00', true);
            INSERT INTO orders VALUES
              (10, 1, 120.50, '2026-05-01'), (11, 1, 80.00, '2026-05-03'), (12, 2, 42.25, '2026-05-04'),
              (13, 4, 300.00, '2026-05-07'), (14, 4, 15.75, '2026-05-09'), (15, 3, 9.99, '2026-05-10');
            INSERT INTO salaries VALUES ('boss', 250000), ('intern', 20000);
            -- A function the SQL checks cannot see into: only the read-only transaction stops what it does.
            CREATE FUNCTION public.bump() RETURNS integer LANGUAGE sql AS 'UPDATE public.orders SET total = total + 1; SELECT 1';
            CREATE ROLE {ReadOnlyUser} LOGIN PASSWORD '{ReadOnlyPassword}';
            GRANT CONNECT ON DATABASE {Database} TO {ReadOnlyUser};
            GRANT USAGE ON SCHEMA public TO {ReadOnlyUser};
            GRANT SELECT ON customers, orders, salaries TO {ReadOnlyUser};
            """);
    }

    /// <summary>Runs SQL as the superuser through psql and returns its unaligned output, one line per row, columns split by '|'.</summary>
    public async Task<string> PsqlAsync(string database, string sql) =>
        await RunAsync(Path.Combine(_binaries, "psql"),
            ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", AdminUser, "-d", database,
             "-v", "ON_ERROR_STOP=1", "-At", "-F", "|", "-c", sql],
            asServer: false);

    /// <summary>A full dump of the shop database: schema, rows, large objects. Equal dumps mean the data did not change.</summary>
    public async Task<string> DumpAsync()
    {
        var dump = await RunAsync(Path.Combine(_binaries, "pg_dump"),
            ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", AdminUser, "-d", Database, "--no-comments", "--blobs"],
            asServer: false);

        // Recent pg_dump versions fence the script with a random \restrict key; that line differs on every dump.
        return string.Join('\n', dump.Split('\n').Where(line => !line.StartsWith("\\restrict ", StringComparison.Ordinal) && !line.StartsWith("\\unrestrict ", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", Path.Combine(Directory, "data"), "-m", "immediate", "-w", "stop"], asServer: true);
        }
        finally
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // Left to the OS temp cleaner.
            }
        }
    }

    private async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, bool asServer)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asServer && _runAs is not null)
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", _runAs, "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = program;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = AdminPassword;
        start.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}: {await error}");
        }

        return await output;
    }

    private static string FindBinaries()
    {
        var debian = new DirectoryInfo("/usr/lib/postgresql");
        if (debian.Exists && debian.GetDirectories().Select(d => Path.Combine(d.FullName, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0).FirstOrDefault() is { } bin)
        {
            return bin;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').FirstOrDefault(p => File.Exists(Path.Combine(p, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL is not installed (Debian package postgresql); scripts/test.sh installs it.");
    }

    private static string UnprivilegedUser()
    {
        var users = File.ReadAllLines("/etc/passwd").Select(l => l.Split(':')[0]).ToHashSet(StringComparer.Ordinal);
        return users.Contains("postgres") ? "postgres" : "nobody";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "PostgreSQL";
}
