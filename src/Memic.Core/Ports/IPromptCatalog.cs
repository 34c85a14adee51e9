using Memic.Core.Prompts;

namespace Memic.Core.Ports;

/// <summary>
/// The catalog's prompt part (CONTRACT §8, §10). Every call names the environment: a prompt of another
/// environment does not exist. Prompts go with their environment when it is removed.
/// </summary>
public interface IPromptCatalog
{
    /// <summary>
    /// Adds the next version of <paramref name="name"/>: one more than the highest number it has in the environment (1 for a new name),
    /// so two concurrent adds get distinct numbers. With <paramref name="makeLive"/> the new version becomes the only live
    /// one in the same atomic step. An environment that no longer exists is a <see cref="Errors.NotFoundException"/>.
    /// </summary>
    Task<PromptVersion> AddPromptVersionAsync(Guid environmentId, string name, string body, bool makeLive, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Makes the version the only live one of its name, atomically. Returns null when there is no such version.</summary>
    Task<PromptVersion?> SetLivePromptVersionAsync(Guid environmentId, string name, int versionNumber, DateTimeOffset at, CancellationToken cancellationToken);

    Task<PromptVersion?> GetLivePromptVersionAsync(Guid environmentId, string name, CancellationToken cancellationToken);

    /// <summary>Every version of every prompt of the environment, ordered by name then version number.</summary>
    Task<IReadOnlyList<PromptVersion>> ListPromptVersionsAsync(Guid environmentId, CancellationToken cancellationToken);

    /// <summary>Removes every version of the name; returns how many there were.</summary>
    Task<int> RemovePromptAsync(Guid environmentId, string name, CancellationToken cancellationToken);
}
