using System.ComponentModel;
using System.Globalization;
using Memic.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Memic.Cli.Commands;

internal sealed class EnvCreateSettings : MemicSettings
{
    [CommandArgument(0, "<slug>")]
    [Description("1-63 characters of a-z, 0-9 and -")]
    public string Slug { get; init; } = string.Empty;

    [CommandOption("--name")]
    [Description("Display name (default: the slug)")]
    public string? Name { get; init; }

    [CommandOption("--project")]
    [Description("Project id (default: the default project)")]
    public Guid? ProjectId { get; init; }

    [CommandOption("--ttl")]
    [Description("Hours until the environment expires and is deleted")]
    public double? TtlHours { get; init; }
}

internal sealed class EnvCreateCommand : MemicCommand<EnvCreateSettings>
{
    protected override async Task<int> RunAsync(EnvCreateSettings settings, CancellationToken cancellationToken)
    {
        using var admin = Clients.Admin();
        using var capture = MemicResponseCapture.Begin();
        var created = await admin.CreateEnvironmentAsync(
            new CreateEnvironmentRequest(settings.Slug, settings.Name, settings.ProjectId, settings.TtlHours), cancellationToken);
        if ((settings.TtlHours is not null) && created.Environment.ExpiresAt is null)
        {
            // Older servers ignore ttl_hours; say so rather than let the user believe the environment will expire.
            Terminal.Error.MarkupLine("[yellow]warning:[/] the server set no expiry for this environment (it does not support ttl_hours).");
        }

        if (settings.Json)
        {
            Terminal.Json(capture.LastBody);
            return ExitCodes.Success;
        }

        Terminal.Out.MarkupLineInterpolated($"environment [bold]{created.Environment.Slug}[/] {created.Environment.Id} ({created.Environment.Status.ToString().ToLowerInvariant()})");
        Terminal.Out.MarkupLineInterpolated($"API key (shown once): [bold]{created.ApiKey}[/]");
        return ExitCodes.Success;
    }
}

internal sealed class EnvListCommand : MemicCommand<MemicSettings>
{
    protected override async Task<int> RunAsync(MemicSettings settings, CancellationToken cancellationToken)
    {
        using var admin = Clients.Admin();
        using var capture = MemicResponseCapture.Begin();
        var environments = await admin.ListEnvironmentsAsync(cancellationToken);
        if (settings.Json)
        {
            Terminal.Json(capture.LastBody);
            return ExitCodes.Success;
        }

        var table = new Table().AddColumn(new TableColumn("id").NoWrap()).AddColumns("slug", "name", "status", "project", "created");
        foreach (var e in environments)
        {
            table.AddRow(
                new Text(e.Id.ToString()), new Text(e.Slug), new Text(e.Name), new Text(e.Status.ToString().ToLowerInvariant()),
                new Text(e.ProjectId.ToString()), new Text(e.CreatedAt.ToString("u", CultureInfo.InvariantCulture)));
        }

        Terminal.Out.Write(table);
        return ExitCodes.Success;
    }
}

internal class EnvironmentSettings : MemicSettings
{
    [CommandArgument(0, "<environment>")]
    [Description("Environment id or slug")]
    public string Environment { get; init; } = string.Empty;
}

internal sealed class EnvRemoveCommand : MemicCommand<EnvironmentSettings>
{
    protected override async Task<int> RunAsync(EnvironmentSettings settings, CancellationToken cancellationToken)
    {
        using var admin = Clients.Admin();
        var environment = await Clients.FindEnvironmentAsync(admin, settings.Environment, cancellationToken);
        // 202/204: the API answers nothing, so --json prints nothing either; the exit code says it worked.
        await admin.DeleteEnvironmentAsync(environment.Id, cancellationToken);
        if (!settings.Json)
        {
            Terminal.Out.MarkupLineInterpolated($"deleted environment {environment.Slug} ({environment.Id})");
        }

        return ExitCodes.Success;
    }
}

internal sealed class KeysCreateSettings : EnvironmentSettings
{
    [CommandOption("--name")]
    [Description("A name to tell the key apart")]
    public string? Name { get; init; }
}

internal sealed class KeysCreateCommand : MemicCommand<KeysCreateSettings>
{
    protected override async Task<int> RunAsync(KeysCreateSettings settings, CancellationToken cancellationToken)
    {
        using var admin = Clients.Admin();
        var environment = await Clients.FindEnvironmentAsync(admin, settings.Environment, cancellationToken);
        using var capture = MemicResponseCapture.Begin();
        var key = await admin.CreateKeyAsync(environment.Id, settings.Name, cancellationToken);
        if (settings.Json)
        {
            Terminal.Json(capture.LastBody);
            return ExitCodes.Success;
        }

        Terminal.Out.MarkupLineInterpolated($"key {key.Id} ({key.Name}, {key.Prefix}…) for {environment.Slug}");
        Terminal.Out.MarkupLineInterpolated($"API key (shown once): [bold]{key.ApiKey}[/]");
        return ExitCodes.Success;
    }
}

internal sealed class KeysListCommand : MemicCommand<EnvironmentSettings>
{
    protected override async Task<int> RunAsync(EnvironmentSettings settings, CancellationToken cancellationToken)
    {
        using var admin = Clients.Admin();
        var environment = await Clients.FindEnvironmentAsync(admin, settings.Environment, cancellationToken);
        using var capture = MemicResponseCapture.Begin();
        var keys = await admin.ListKeysAsync(environment.Id, cancellationToken);
        if (settings.Json)
        {
            Terminal.Json(capture.LastBody);
            return ExitCodes.Success;
        }

        var table = new Table().AddColumn(new TableColumn("id").NoWrap()).AddColumns("name", "prefix", "created", "last used");
        foreach (var k in keys)
        {
            table.AddRow(
                new Text(k.Id.ToString()), new Text(k.Name), new Text(k.Prefix),
                new Text(k.CreatedAt.ToString("u", CultureInfo.InvariantCulture)),
                new Text(k.LastUsedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never"));
        }

        Terminal.Out.Write(table);
        return ExitCodes.Success;
    }
}

internal sealed class KeysRevokeSettings : MemicSettings
{
    [CommandArgument(0, "<key_id>")]
    [Description("Id of the key to revoke (see keys ls)")]
    public Guid KeyId { get; init; }
}

internal sealed class KeysRevokeCommand : MemicCommand<KeysRevokeSettings>
{
    protected override async Task<int> RunAsync(KeysRevokeSettings settings, CancellationToken cancellationToken)
    {
        using var admin = Clients.Admin();
        // 204: the API answers nothing, so --json prints nothing either; the exit code says it worked.
        await admin.RevokeKeyAsync(settings.KeyId, cancellationToken);
        if (!settings.Json)
        {
            Terminal.Out.MarkupLineInterpolated($"revoked key {settings.KeyId}");
        }

        return ExitCodes.Success;
    }
}
