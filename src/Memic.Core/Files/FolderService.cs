using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Tenancy;

namespace Memic.Core.Files;

/// <summary>Folders of an environment (CONTRACT §9). A folder of another environment behaves like an unknown one.</summary>
public sealed class FolderService(ITenancyCatalog tenancy, IFolderCatalog folders, IFileCatalog files, TimeProvider time)
{
    public Task<IReadOnlyList<Folder>> ListAsync(Guid environmentId, CancellationToken cancellationToken) =>
        tenancy.ListFoldersAsync(environmentId, cancellationToken);

    public async Task<Folder> GetAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken) =>
        await folders.GetFolderAsync(environmentId, folderId, cancellationToken)
        ?? throw new NotFoundException(ErrorCodes.FolderNotFound, $"Folder '{folderId}' was not found.");

    /// <summary>The named folder, or the environment's default folder when none is named.</summary>
    public async Task<Folder> ResolveAsync(Guid environmentId, Guid? folderId, CancellationToken cancellationToken)
    {
        if (folderId is { } id)
        {
            return await GetAsync(environmentId, id, cancellationToken);
        }

        var all = await tenancy.ListFoldersAsync(environmentId, cancellationToken);
        return all.FirstOrDefault(f => f.IsDefault)
            ?? throw new InvalidOperationException($"Environment {environmentId} has no default folder.");
    }

    public async Task<Folder> CreateAsync(Guid environmentId, string? name, CancellationToken cancellationToken)
    {
        var folder = new Folder(Guid.NewGuid(), environmentId, InputRules.Name(name, "name", 255), IsDefault: false, time.GetUtcNow());
        await tenancy.AddFolderAsync(folder, cancellationToken);
        return folder;
    }

    /// <summary>Throws unless the folder may be deleted: never the default folder, and one holding files only when recursive.</summary>
    public async Task<Folder> CheckDeletableAsync(Guid environmentId, Guid folderId, bool recursive, CancellationToken cancellationToken)
    {
        var folder = await GetAsync(environmentId, folderId, cancellationToken);
        if (folder.IsDefault)
        {
            throw new ConflictException(ErrorCodes.Conflict, "The default folder cannot be deleted.");
        }

        if (!recursive && await files.CountFilesInFolderAsync(environmentId, folderId, cancellationToken) > 0)
        {
            throw new ConflictException(ErrorCodes.Conflict, "The folder is not empty; delete its files first or pass recursive=true.");
        }

        return folder;
    }

    public Task RemoveAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken) =>
        folders.RemoveFolderAsync(environmentId, folderId, cancellationToken);
}
