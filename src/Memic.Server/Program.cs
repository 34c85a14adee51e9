using Memic.Http;
using Memic.Server;

if (AdminCommands.Handles(args))
{
    return await AdminCommands.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddServerDefaults();
builder.Configuration.AddMemicEnvironmentVariables();
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls(ServerComposition.DefaultUrl);
}

builder.Services.AddMemicServer(builder.Configuration);
builder.Services.AddMemicTelemetry(builder.Configuration);
builder.Services.AddHostedService<LocalServerStartup>();
builder.Services.AddHostedService<ExpiredEnvironmentSweeper>();

var app = builder.Build();
app.UseMemicRequestLog();
app.UseMemicStatusEnvelopes();
app.MapMemicRoutes();
app.MapMemicApiReference();
app.MapMemicDashboard();
await app.RunAsync();
return 0;

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
