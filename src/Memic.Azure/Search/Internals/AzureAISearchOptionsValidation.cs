using Microsoft.Extensions.Options;

namespace Memic.Azure.Search.Internals;

/// <summary>Checked on start, so a bad retry setting stops the host with the setting's name.</summary>
internal sealed class AzureAISearchOptionsValidation : IValidateOptions<AzureAISearchOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureAISearchOptions options)
    {
        var errors = new List<string>();
        if (options.MaxRetries is < 0 or > 20)
        {
            errors.Add($"{AzureAISearchOptions.Section}:MaxRetries must be between 0 and 20.");
        }

        foreach (var (setting, value) in (ReadOnlySpan<(string, TimeSpan)>)
                 [("RetryDelay", options.RetryDelay), ("MaxRetryDelay", options.MaxRetryDelay), ("MaxServerRetryDelay", options.MaxServerRetryDelay)])
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromMinutes(10))
            {
                errors.Add($"{AzureAISearchOptions.Section}:{setting} must be a positive duration of at most 10 minutes, e.g. 00:00:30.");
            }
        }

        if (options.RetryDelay > options.MaxRetryDelay)
        {
            errors.Add($"{AzureAISearchOptions.Section}:RetryDelay must not exceed {AzureAISearchOptions.Section}:MaxRetryDelay.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
