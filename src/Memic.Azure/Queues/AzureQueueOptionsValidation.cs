using System.Text.RegularExpressions;
using Memic.Azure.Internals;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Queues;

/// <summary>Checked on start, so a host with missing or contradictory settings stops with the setting's name.</summary>
internal sealed partial class AzureQueueOptionsValidation : IValidateOptions<AzureQueueOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureQueueOptions options)
    {
        if (StorageAccount.Check(AzureQueueOptions.Section, options.ConnectionString, options.ServiceUri) is { } error)
        {
            return ValidateOptionsResult.Fail(error);
        }

        return QueueNamePattern().IsMatch(options.QueueName ?? "")
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{AzureQueueOptions.Section}:QueueName must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.");
    }

    [GeneratedRegex(@"^(?=.{3,63}\z)[a-z0-9]+(-[a-z0-9]+)*\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex QueueNamePattern();
}
