using System.CommandLine;
using System.Text.Json;
using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Http;
using Memic.Http.Contracts;

namespace Memic.Server;

/// <summary>
/// Admin commands for scripts, run against the data directory without starting the web server.
/// They print the admin API's JSON shapes on stdout; logs and errors go to stderr.
/// </summary>
internal static class AdminCommands
{
    private static readonly string[] Verbs = ["environments", "keys", "projects", "admin-key"];

    public static bool Handles(string[] args) => args.Length > 0 && (Verbs.Contains(args[0]) || args[0] is "--help" or "-h" or "-?");

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Memic local server. Run without arguments to serve on " + ServerComposition.DefaultUrl + "; the commands below manage the data directory (MEMIC_DATA_DIR).")
        {
            EnvironmentCommands(),
            KeyCommands(),
            ProjectCommands(),
            AdminKeyCommands(),
        };
        return await root.Parse(args).InvokeAsync();
    }

    private static Command EnvironmentCommands()
    {
        var slug = new Option<string>("--slug") { Description = "1–63 characters of a-z, 0-9 and '-'", Required = true };
        var name = new Option<string?>("--name") { Description = "Display name (defaults to the slug)" };
        var projectId = new Option<Guid?>("--project-id") { Description = "Project to create it in (defaults to the default project)" };
        var ttl = new Option<TimeSpan?>("--ttl")
        {
            Description = "Lifetime, e.g. 72h, 90m or 7d: the environment is deleted once it expires (docs/branch-environments.md)",
            CustomParser = result => ParseLifetime(result.Tokens[0].Value) ?? throw new InvalidOperationException("unreachable"),
        };
        ttl.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && ParseLifetime(result.Tokens[0].Value) is null)
            {
                result.AddError($"--ttl must be a positive number followed by m, h or d (e.g. 72h), not '{result.Tokens[0].Value}'.");
            }
        });
        var create = new Command("create", "Create an environment and print it with its first API key, as JSON") { slug, name, projectId, ttl };
        create.SetAction((parse, ct) => RunAsync(async services =>
        {
            var expiresAt = parse.GetValue(ttl) is { } lifetime
                ? EnvironmentLifetime.ExpiryFrom(null, lifetime.TotalHours, services.GetRequiredService<TimeProvider>().GetUtcNow())
                : null;
            var created = await services.GetRequiredService<EnvironmentService>().CreateAsync(parse.GetValue(slug), parse.GetValue(name), parse.GetValue(projectId), expiresAt, ct);
            return CreatedEnvironmentResponse.From(created);
        }));

        var list = new Command("list", "List environments as JSON");
        list.SetAction((_, ct) => RunAsync(async services =>
            (await services.GetRequiredService<EnvironmentService>().ListAsync(ct)).Select(EnvironmentResponse.From).ToArray()));

        var environment = new Argument<string>("environment") { Description = "Environment id or slug (in the default project)" };
        var delete = new Command("delete", "Delete an environment and everything in it") { environment };
        delete.SetAction((parse, ct) => RunAsync(async services =>
        {
            var found = await ResolveEnvironmentAsync(services, parse.GetValue(environment)!, ct);
            await services.GetRequiredService<EnvironmentService>().DeleteAsync(found.Id, ct);
            return new { deleted = found.Id };
        }));

        return new Command("environments", "Create, list and delete environments") { create, list, delete };
    }

    private static Command KeyCommands()
    {
        var environment = new Option<string>("--environment") { Description = "Environment id or slug (in the default project)", Required = true };
        var name = new Option<string?>("--name") { Description = "A name to recognise the key by" };
        var create = new Command("create", "Create an API key and print it once, as JSON") { environment, name };
        create.SetAction((parse, ct) => RunAsync(async services =>
        {
            var found = await ResolveEnvironmentAsync(services, parse.GetValue(environment)!, ct);
            return CreatedApiKeyResponse.From(await services.GetRequiredService<ApiKeyService>().CreateAsync(found.Id, parse.GetValue(name), ct));
        }));

        var listEnvironment = new Option<string>("--environment") { Description = "Environment id or slug (in the default project)", Required = true };
        var list = new Command("list", "List an environment's keys (never the keys themselves) as JSON") { listEnvironment };
        list.SetAction((parse, ct) => RunAsync(async services =>
        {
            var found = await ResolveEnvironmentAsync(services, parse.GetValue(listEnvironment)!, ct);
            return (await services.GetRequiredService<ApiKeyService>().ListAsync(found.Id, ct)).Select(ApiKeyResponse.From).ToArray();
        }));

        var keyId = new Argument<Guid>("key-id") { Description = "The key's id" };
        var revoke = new Command("revoke", "Revoke a key") { keyId };
        revoke.SetAction((parse, ct) => RunAsync(async services =>
        {
            await services.GetRequiredService<ApiKeyService>().RevokeAsync(parse.GetValue(keyId), ct);
            return new { revoked = parse.GetValue(keyId) };
        }));

        return new Command("keys", "Create, list and revoke environment API keys") { create, list, revoke };
    }

    private static Command ProjectCommands()
    {
        var list = new Command("list", "List the default organization's projects as JSON");
        list.SetAction((_, ct) => RunAsync(async services =>
        {
            var organization = await services.GetRequiredService<ITenancyCatalog>().GetDefaultOrganizationAsync(ct)
                ?? throw new NotFoundException(ErrorCodes.NotFound, "There is no default organization yet; start the server once to create it.");
            return (await services.GetRequiredService<TenancyService>().ListProjectsAsync(organization.Id, ct)).Select(ProjectResponse.From).ToArray();
        }));
        return new Command("projects", "List projects") { list };
    }

    private static Command AdminKeyCommands()
    {
        var rotate = new Command("rotate", "Replace the generated admin key with a new one and print it once, as JSON; the old one stops working");
        rotate.SetAction((_, ct) => RunAsync(async services =>
        {
            var issued = await services.GetRequiredService<AdminKeyService>().RotateAsync(ct);
            return new { id = issued.Id, prefix = issued.Prefix, created_at = issued.CreatedAt, admin_key = issued.PlaintextKey };
        }));
        return new Command("admin-key", "Rotate the generated admin key (a configured MEMIC_ADMIN_KEY is changed where it is set)") { rotate };
    }

    /// <summary>"72h", "90m", "7d" as a lifetime; null when it is not one.</summary>
    internal static TimeSpan? ParseLifetime(string text)
    {
        if (text.Length < 2 || !double.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var amount)
            || !double.IsFinite(amount) || amount <= 0)
        {
            return null;
        }

        var hours = char.ToLowerInvariant(text[^1]) switch
        {
            'm' => amount / 60,
            'h' => amount,
            'd' => amount * 24,
            _ => double.NaN,
        };
        return double.IsNaN(hours) || hours > EnvironmentLifetime.MaxTtlHours ? null : TimeSpan.FromHours(hours);
    }

    private static async Task<MemicEnvironment> ResolveEnvironmentAsync(IServiceProvider services, string idOrSlug, CancellationToken cancellationToken)
    {
        var catalog = services.GetRequiredService<ITenancyCatalog>();
        if (Guid.TryParse(idOrSlug, out var id))
        {
            return await catalog.GetEnvironmentAsync(id, cancellationToken) ?? throw NotFoundException.Resource("Environment", id);
        }

        var project = await catalog.GetDefaultProjectAsync(cancellationToken)
            ?? throw new NotFoundException(ErrorCodes.NotFound, "There is no default project yet; start the server once to create it.");
        return await catalog.FindEnvironmentAsync(project.Id, idOrSlug, cancellationToken)
            ?? throw new NotFoundException(ErrorCodes.NotFound, $"Environment '{idOrSlug}' was not found in the default project.");
    }

    private static async Task<int> RunAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddMemicEnvironmentVariables();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddMemicServer(builder.Configuration);
        using var host = builder.Build();
        try
        {
            var result = await action(host.Services);
            Console.Out.WriteLine(JsonSerializer.Serialize(result, MemicJson.Options));
            return 0;
        }
        catch (MemicException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Code}: {ex.Message}");
            return 1;
        }
    }
}
