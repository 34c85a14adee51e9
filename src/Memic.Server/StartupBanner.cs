using Memic.Core.Tenancy;
using Memic.Core.Users;
using Memic.Embedded;

namespace Memic.Server;

/// <summary>What a newcomer reads on start: where Memic listens and a key that works. Keys appear only when created.</summary>
internal static class StartupBanner
{
    public static void Print(TextWriter output, string url, IConfiguration configuration, FirstRunResult firstRun)
    {
        var dataDirectory = Path.GetFullPath(configuration["Memic:DataDirectory"] is { Length: > 0 } dir ? dir : new EmbeddedOptions().DataDirectory);
        output.WriteLine();
        output.WriteLine($"Memic is running at {url}");
        output.WriteLine($"  data directory: {dataDirectory}");

        if (firstRun.GeneratedAdminKey is { } adminKey)
        {
            output.WriteLine($"  admin key:      {adminKey}   (shown once; set MEMIC_ADMIN_KEY to choose your own)");
        }

        if (firstRun.GeneratedOwnerPassword is { } ownerPassword)
        {
            output.WriteLine($"  dashboard:      {url}/   sign in as {UserService.LocalOwnerEmail} with password {ownerPassword}   (shown once; set MEMIC_OWNER_PASSWORD to choose your own)");
        }

        if (firstRun.DefaultEnvironment is { } created)
        {
            output.WriteLine($"  API key:        {created.FirstKey.PlaintextKey}   (environment '{created.Environment.Slug}', shown once)");
            output.WriteLine();
            output.WriteLine("Try it:");
            output.WriteLine($"  curl -H \"X-API-Key: {created.FirstKey.PlaintextKey}\" {url}/api/v1/me");
        }
        else
        {
            output.WriteLine("  API keys were shown when they were created. Make another with:");
            output.WriteLine($"  dotnet run --project src/Memic.Server -- keys create --environment {FirstRunSetup.DefaultEnvironmentSlug}");
        }

        output.WriteLine();
        output.Flush();
    }
}
