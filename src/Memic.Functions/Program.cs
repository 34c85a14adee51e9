using Memic.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMemicHttpErrors();
builder.Services.AddMemicFunctionsApp(builder.Configuration);
builder.Services.AddMemicTelemetry(builder.Configuration);
await builder.Build().RunAsync();
