using System.Text.RegularExpressions;
using Memic.Azure.Blobs;
using Memic.Azure.Catalog;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Internals;

/// <summary>Checked on start, so a host with missing or contradictory settings stops with the setting's name.</summary>
internal sealed class AzureBlobOptionsValidation : IValidateOptions<AzureBlobOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureBlobOptions options) =>
        StorageAccount.Check(AzureBlobOptions.Section, options.ConnectionString, options.ServiceUri) is { } error
            ? ValidateOptionsResult.Fail(error)
            : ValidateOptionsResult.Success;
}

internal sealed partial class AzureTableOptionsValidation : IValidateOptions<AzureTableOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureTableOptions options)
    {
        if (StorageAccount.Check(AzureTableOptions.Section, options.ConnectionString, options.ServiceUri) is { } error)
        {
            return ValidateOptionsResult.Fail(error);
        }

        return TablePrefixPattern().IsMatch(options.TablePrefix ?? "")
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{AzureTableOptions.Section}:TablePrefix must be 1-40 letters and digits, starting with a letter (table names allow nothing else).");
    }

    /// <summary>Table names are 3-63 alphanumerics starting with a letter; the longest suffix is "EnvironmentData" (15).</summary>
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]{0,39}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TablePrefixPattern();
}
