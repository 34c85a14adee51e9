using Memic.Functions;
using Memic.Functions.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<HttpErrorMiddleware>();
builder.Services.AddMemicFunctionsApp(builder.Configuration);
await builder.Build().RunAsync();
