using Memic.Core.Tenancy;
using Memic.Http;
using Memic.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

if (AdminCommands.Handles(args))
{
    return await AdminCommands.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddMemicEnvironmentVariables();
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls(ServerComposition.DefaultUrl);
}

builder.Services.AddMemicServer(builder.Configuration);

var app = builder.Build();
app.UseMemicStatusEnvelopes();
app.MapMemicRoutes();

var firstRun = await app.Services.GetRequiredService<FirstRunSetup>().EnsureAsync(app.Lifetime.ApplicationStopping);
await app.StartAsync();

var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
StartupBanner.Print(Console.Out, addresses.FirstOrDefault() ?? ServerComposition.DefaultUrl, app.Configuration, firstRun);

await app.WaitForShutdownAsync();
return 0;

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
