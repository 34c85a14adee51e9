using Memic.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Memic.Cli;

/// <summary>The <c>memic</c> command tree.</summary>
internal static class MemicCommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("memic");
            config.UseAssemblyInformationalVersion();
            config.CancellationExitCode(ExitCodes.Cancelled);
            config.SetExceptionHandler((exception, _) =>
            {
                // Only parsing and usage errors get here: every command reports its own API and network errors.
                Terminal.Error.MarkupLineInterpolated($"[red]error:[/] {exception.Message}");
                return ExitCodes.Usage;
            });

            config.AddCommand<UploadCommand>("upload")
                .WithDescription("Upload files or directories (3-step upload, concurrent, skipping files already present with the same content)")
                .WithExample("upload", "./docs", "--folder", "handbook", "--wait");
            config.AddCommand<SearchCommand>("search")
                .WithDescription("Search the environment's documents")
                .WithExample("search", "\"parental leave\"", "--top-k", "5");
            config.AddBranch("files", files =>
            {
                files.SetDescription("List and remove files");
                files.AddCommand<FilesListCommand>("ls").WithDescription("List files, page by page");
                files.AddCommand<FilesRemoveCommand>("rm").WithDescription("Delete files with their chunks and vectors");
            });
            config.AddBranch("env", env =>
            {
                env.SetDescription("Manage environments (admin: MEMIC_ADMIN_KEY)");
                env.AddCommand<EnvCreateCommand>("create").WithDescription("Create an environment and print its first API key (shown once)");
                env.AddCommand<EnvListCommand>("ls").WithDescription("List environments");
                env.AddCommand<EnvRemoveCommand>("rm").WithDescription("Delete an environment and everything in it");
            });
            config.AddBranch("keys", keys =>
            {
                keys.SetDescription("Manage an environment's API keys (admin: MEMIC_ADMIN_KEY)");
                keys.AddCommand<KeysCreateCommand>("create").WithDescription("Issue a key (shown once)");
                keys.AddCommand<KeysListCommand>("ls").WithDescription("List keys (never their plaintext)");
                keys.AddCommand<KeysRevokeCommand>("revoke").WithDescription("Revoke a key");
            });
        });

        return await app.RunAsync(args, cancellation.Token);
    }
}

/// <summary>What <c>memic</c> exits with, for scripts.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The API answered an error, or a file failed to upload or process.</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments or missing configuration (no API or admin key).</summary>
    public const int Usage = 2;

    /// <summary>The server could not be reached.</summary>
    public const int Unreachable = 3;

    public const int Cancelled = 130;
}

/// <summary>Where output goes: results to stdout, progress and errors to stderr, so <c>--json</c> output stays clean.</summary>
internal static class Terminal
{
    public static IAnsiConsole Out { get; } = AnsiConsole.Console;

    public static IAnsiConsole Error { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>Writes the API's JSON exactly as it came, one document per line.</summary>
    public static void Json(string? body)
    {
        if (!string.IsNullOrEmpty(body))
        {
            Console.Out.WriteLine(body.Trim());
        }
    }
}
