using System.ComponentModel;
using Memic.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Memic.Cli.Commands;

/// <summary>Options every command takes.</summary>
internal class MemicSettings : CommandSettings
{
    [CommandOption("--json")]
    [Description("Print the API's JSON response as it came (one document per line) instead of a table")]
    public bool Json { get; init; }
}

/// <summary>A command that reports API, configuration and network errors the same way, with distinct exit codes.</summary>
internal abstract class MemicCommand<TSettings> : AsyncCommand<TSettings>
    where TSettings : MemicSettings
{
    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        using var capture = MemicResponseCapture.Begin();
        try
        {
            return await RunAsync(settings, cancellationToken);
        }
        catch (MemicApiException ex)
        {
            ReportApiError(ex, settings.Json ? capture.LastBody : null);
            return ExitCodes.Failed;
        }
        catch (CommandFailedException ex)
        {
            Terminal.Error.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return ex.ExitCode;
        }
        catch (TimeoutException ex)
        {
            Terminal.Error.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (HttpRequestException ex) when (ex.StatusCode is null)
        {
            Terminal.Error.MarkupLineInterpolated($"[red]error:[/] cannot reach the Memic API: {ex.Message}");
            return ExitCodes.Unreachable;
        }
    }

    protected abstract Task<int> RunAsync(TSettings settings, CancellationToken cancellationToken);

    /// <summary>A readable line per problem on stderr, then (with <c>--json</c>) the error envelope as it came, also on stderr.</summary>
    public static void ReportApiError(MemicApiException ex, string? envelope)
    {
        // A 422's message is its field errors joined; they read better one per line.
        var headline = ex.FieldErrors.Count > 0 ? "invalid request" : ex.Message;
        Terminal.Error.MarkupLineInterpolated($"[red]error:[/] {(int)ex.StatusCode} {ex.Code}: {headline}");
        foreach (var field in ex.FieldErrors)
        {
            Terminal.Error.MarkupLineInterpolated($"  {field.Path}: {field.Msg} ({field.Type})");
        }

        if (ex.RequestId is not null)
        {
            Terminal.Error.MarkupLineInterpolated($"  request id: {ex.RequestId}");
        }

        if (!string.IsNullOrEmpty(envelope))
        {
            Console.Error.WriteLine(envelope.Trim());
        }
    }
}

/// <summary>A failure the command explains in one line, with the exit code it means.</summary>
internal sealed class CommandFailedException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CommandFailedException MissingSetting(string message) => new(message, ExitCodes.Usage);

    public static CommandFailedException Failed(string message) => new(message, ExitCodes.Failed);
}

/// <summary>Clients configured from the environment, with a clear error when a key is missing.</summary>
internal static class Clients
{
    public static MemicClient DataPlane()
    {
        var options = MemicClientOptions.FromEnvironment();
        return options.ApiKey is null
            ? throw CommandFailedException.MissingSetting("MEMIC_API_KEY is not set: export the environment's API key (mk_live_...).")
            : new MemicClient(options);
    }

    public static MemicAdminClient Admin()
    {
        var options = MemicClientOptions.FromEnvironment();
        return options.AdminKey is null
            ? throw CommandFailedException.MissingSetting("MEMIC_ADMIN_KEY is not set: export the server's admin key (mk_admin_...).")
            : new MemicAdminClient(options);
    }

    /// <summary>An environment given as its id or its slug.</summary>
    public static async Task<MemicEnvironment> FindEnvironmentAsync(MemicAdminClient admin, string idOrSlug, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(idOrSlug, out var id))
        {
            return await admin.GetEnvironmentAsync(id, cancellationToken);
        }

        var matches = (await admin.ListEnvironmentsAsync(cancellationToken)).Where(e => e.Slug == idOrSlug).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw CommandFailedException.Failed($"No environment with slug '{idOrSlug}'."),
            _ => throw CommandFailedException.Failed($"Several projects have an environment '{idOrSlug}': give its id instead."),
        };
    }
}
