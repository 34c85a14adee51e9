using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Microsoft.Extensions.Logging;

namespace Memic.Core.Prompts;

/// <summary>
/// Versioned prompts of an environment (CONTRACT §8, §10): the admin API creates versions and picks the live one,
/// the data plane reads the live one. An unknown name, version or live version is a 404 <c>prompt_not_found</c>;
/// an unknown environment is a 404 <c>not_found</c>, so a caller can tell which part of the path is wrong.
/// </summary>
public sealed class PromptService(ITenancyCatalog tenancy, IPromptCatalog prompts, TimeProvider time, ILogger<PromptService> logger)
{
    public async Task<PromptVersion> CreateVersionAsync(Guid environmentId, string? name, string? body, bool makeLive, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        if (PromptName.Check(name) is { } nameError)
        {
            errors.Add(nameError);
        }

        if (CheckBody(body) is { } bodyError)
        {
            errors.Add(bodyError);
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        await RequireReadyEnvironmentAsync(environmentId, cancellationToken);
        var version = await prompts.AddPromptVersionAsync(environmentId, name!, body!, makeLive, time.GetUtcNow(), cancellationToken);
        logger.LogInformation("Created version {VersionNumber} of prompt {PromptName} in environment {EnvironmentId} (live: {IsLive})",
            version.VersionNumber, version.Name, environmentId, version.IsLive);
        return version;
    }

    public async Task<PromptVersion> SetLiveVersionAsync(Guid environmentId, string name, int versionNumber, CancellationToken cancellationToken)
    {
        await RequireReadyEnvironmentAsync(environmentId, cancellationToken);
        var version = PromptName.IsValid(name)
            ? await prompts.SetLivePromptVersionAsync(environmentId, name, versionNumber, time.GetUtcNow(), cancellationToken)
            : null;
        if (version is null)
        {
            throw new NotFoundException(ErrorCodes.PromptNotFound, $"Prompt '{name}' has no version {versionNumber}.");
        }

        logger.LogInformation("Version {VersionNumber} of prompt {PromptName} in environment {EnvironmentId} is live", versionNumber, name, environmentId);
        return version;
    }

    /// <summary>Every prompt of the environment with its versions, by name.</summary>
    public async Task<IReadOnlyList<Prompt>> ListAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        _ = await tenancy.GetEnvironmentAsync(environmentId, cancellationToken) ?? throw NotFoundException.Resource("Environment", environmentId);
        var versions = await prompts.ListPromptVersionsAsync(environmentId, cancellationToken);
        return
        [
            .. versions
                .GroupBy(v => v.Name, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new Prompt(g.Key, [.. g.OrderBy(v => v.VersionNumber)])),
        ];
    }

    /// <summary>Deletes every version of the name.</summary>
    public async Task DeleteAsync(Guid environmentId, string name, CancellationToken cancellationToken)
    {
        _ = await tenancy.GetEnvironmentAsync(environmentId, cancellationToken) ?? throw NotFoundException.Resource("Environment", environmentId);
        var removed = PromptName.IsValid(name) ? await prompts.RemovePromptAsync(environmentId, name, cancellationToken) : 0;
        if (removed == 0)
        {
            throw new NotFoundException(ErrorCodes.PromptNotFound, $"Prompt '{name}' was not found.");
        }

        logger.LogInformation("Deleted prompt {PromptName} ({VersionCount} versions) of environment {EnvironmentId}", name, removed, environmentId);
    }

    /// <summary>The live version of the name in the caller's own environment.</summary>
    public async Task<PromptVersion> GetLiveAsync(Guid environmentId, string name, CancellationToken cancellationToken) =>
        (PromptName.IsValid(name) ? await prompts.GetLivePromptVersionAsync(environmentId, name, cancellationToken) : null)
        ?? throw new NotFoundException(ErrorCodes.PromptNotFound, $"Prompt '{name}' was not found or has no live version.");

    private static FieldError? CheckBody(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return new FieldError(["body", "body"], "Body must not be empty.", "string_too_short");
        }

        return body.Length > PromptTemplate.MaxBodyLength
            ? new FieldError(["body", "body"], $"Body must be at most {PromptTemplate.MaxBodyLength} characters.", "string_too_long")
            : null;
    }

    /// <summary>Versions are written only into environments that serve requests, as keys are.</summary>
    private async Task RequireReadyEnvironmentAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var environment = await tenancy.GetEnvironmentAsync(environmentId, cancellationToken);
        if (environment is not { Status: EnvironmentStatus.Ready })
        {
            throw NotFoundException.Resource("Environment", environmentId);
        }
    }
}
