using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Search.Pool;

/// <summary>Checks the pool's settings on start, naming the setting at fault.</summary>
internal sealed partial class SearchPoolOptionsValidation : IValidateOptions<SearchPoolOptions>
{
    public ValidateOptionsResult Validate(string? name, SearchPoolOptions options)
    {
        var failures = new List<string>();
        if (options.Services.Count == 0)
        {
            failures.Add("Memic:Search:Services:0:Endpoint (Memic__Search__Services__0__Endpoint) is required: the pool needs at least one search service.");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Services.Count; i++)
        {
            var service = options.Services[i];
            var setting = $"Memic:Search:Services:{i}";
            if (service.Endpoint is not { IsAbsoluteUri: true } endpoint || endpoint.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add($"{setting}:Endpoint must be an absolute https URL, e.g. https://<service>.search.windows.net.");
            }
            else if (!ServiceName().IsMatch(service.EffectiveName))
            {
                failures.Add($"{setting}:Name must be 2-60 lowercase letters, digits or dashes, starting with a letter or digit.");
            }
            else if (!names.Add(service.EffectiveName))
            {
                failures.Add($"{setting}:Name '{service.EffectiveName}' is used by another service of the pool.");
            }

            if (service.IndexCapacity <= 0)
            {
                failures.Add($"{setting}:IndexCapacity must be positive (S1 50, S2/S3 200, S3 HD 1000 per partition).");
            }

            if (service.SearchUnits is < 1 or > 144)
            {
                failures.Add($"{setting}:SearchUnits must be between 1 and 144 (replicas × partitions).");
            }
        }

        if (options.MaxServices < 0)
        {
            failures.Add("Memic:Search:MaxServices must be 0 (no growth) or more.");
        }

        if (options.GrowthIndexCapacity <= 0)
        {
            failures.Add("Memic:Search:GrowthIndexCapacity must be positive.");
        }

        if (options.GrowthSearchUnits is < 1 or > 144)
        {
            failures.Add("Memic:Search:GrowthSearchUnits must be between 1 and 144 (replicas × partitions).");
        }

        if (!GrowthPrefix().IsMatch(options.GrowthNamePrefix ?? ""))
        {
            failures.Add("Memic:Search:GrowthNamePrefix must be 1-58 lowercase letters, digits or dashes, starting with a letter or digit.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Azure AI Search service names: 2-60 characters, lowercase letters, digits and dashes, not starting with a dash.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{1,59}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ServiceName();

    // Two digits are appended to the prefix, and the result must still be a service name.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,57}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex GrowthPrefix();
}
