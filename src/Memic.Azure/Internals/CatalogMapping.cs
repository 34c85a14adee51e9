using System.Text.Json;
using Memic.Core.Files;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Prompts;
using Memic.Core.Tenancy;
using Memic.Core.Usage;

namespace Memic.Azure.Internals;

/// <summary>Domain records to table entities and back.</summary>
internal static class CatalogMapping
{
    public static OrganizationEntity ToEntity(this Organization organization) => new()
    {
        PartitionKey = TableKeys.OrganizationPartition,
        RowKey = TableKeys.Organization(organization.Id),
        Name = organization.Name,
        CreatedAt = organization.CreatedAt,
    };

    public static Organization ToOrganization(this OrganizationEntity entity) =>
        new(TableKeys.IdOf(entity.RowKey), entity.Name, entity.CreatedAt);

    public static ProjectEntity ToEntity(this Project project) => new()
    {
        PartitionKey = TableKeys.ProjectPartition,
        RowKey = TableKeys.Project(project.Id),
        OrganizationId = project.OrganizationId,
        Name = project.Name,
        IsActive = project.IsActive,
        CreatedAt = project.CreatedAt,
        UpdatedAt = project.UpdatedAt,
    };

    public static Project ToProject(this ProjectEntity entity) =>
        new(TableKeys.IdOf(entity.RowKey), entity.Name, entity.OrganizationId, entity.IsActive, entity.CreatedAt, entity.UpdatedAt);

    public static EnvironmentEntity ToEntity(this MemicEnvironment environment) => new()
    {
        PartitionKey = TableKeys.EnvironmentPartition,
        RowKey = TableKeys.Environment(environment.Id),
        ProjectId = environment.ProjectId,
        OrganizationId = environment.OrganizationId,
        Slug = environment.Slug,
        Name = environment.Name,
        Status = environment.Status.ToString(),
        CreatedAt = environment.CreatedAt,
        UpdatedAt = environment.UpdatedAt,
        ExpiresAt = environment.ExpiresAt,
    };

    public static MemicEnvironment ToEnvironment(this EnvironmentEntity entity) =>
        new(TableKeys.IdOf(entity.RowKey), entity.Slug, entity.Name, entity.ProjectId, entity.OrganizationId,
            Enum.Parse<EnvironmentStatus>(entity.Status), entity.CreatedAt, entity.UpdatedAt)
        {
            ExpiresAt = entity.ExpiresAt,
        };

    public static FolderEntity ToEntity(this Folder folder) => new()
    {
        PartitionKey = TableKeys.EnvironmentData(folder.EnvironmentId),
        RowKey = TableKeys.Folder(folder.Id),
        Name = folder.Name,
        IsDefault = folder.IsDefault,
        CreatedAt = folder.CreatedAt,
    };

    public static Folder ToFolder(this FolderEntity entity) =>
        new(TableKeys.IdOf(entity.RowKey), Guid.Parse(entity.PartitionKey), entity.Name, entity.IsDefault, entity.CreatedAt);

    public static MarkerEntity Marker(string partitionKey, string rowKey, Guid owner) =>
        new() { PartitionKey = partitionKey, RowKey = rowKey, Owner = owner };

    public static KeyEntity ToEntity(this ApiKeyRecord key, string partitionKey, string rowKey, Guid? environmentId) => new()
    {
        PartitionKey = partitionKey,
        RowKey = rowKey,
        Id = key.Info.Id,
        EnvironmentId = environmentId,
        Name = key.Info.Name,
        Prefix = key.Info.Prefix,
        KeyHash = key.KeyHash,
        CreatedAt = key.Info.CreatedAt,
        LastUsedAt = key.Info.LastUsedAt,
    };

    public static ApiKeyRecord ToKey(this KeyEntity entity) =>
        new(new ApiKeyInfo(entity.Id, entity.EnvironmentId ?? Guid.Empty, entity.Name, entity.Prefix, entity.CreatedAt, entity.LastUsedAt), entity.KeyHash);

    public static FileEntity ToEntity(this StoredFile file)
    {
        var metadata = LongText.Split(file.Metadata is { } json ? json.GetRawText() : null, "metadata");
        return new FileEntity
        {
            PartitionKey = TableKeys.EnvironmentData(file.EnvironmentId),
            RowKey = TableKeys.File(file.Id),
            FolderId = file.FolderId,
            Name = file.Name,
            OriginalFilename = file.OriginalFilename,
            Size = file.Size,
            MimeType = file.MimeType,
            Status = file.Status.ToString(),
            ErrorMessage = LongText.Truncate(file.ErrorMessage),
            ReferenceId = file.ReferenceId,
            Metadata = metadata[0],
            Metadata2 = metadata[1],
            Metadata3 = metadata[2],
            Metadata4 = metadata[3],
            TotalChunks = file.TotalChunks,
            TotalEmbeddings = file.TotalEmbeddings,
            EmbeddingDimension = file.EmbeddingDimension,
            PageCount = file.PageCount,
            ContentHash = file.ContentHash,
            Attempts = file.Attempts,
            CreatedAt = file.CreatedAt,
            UpdatedAt = file.UpdatedAt,
        };
    }

    public static StoredFile ToFile(this FileEntity entity)
    {
        var metadata = LongText.Join(entity.Metadata, entity.Metadata2, entity.Metadata3, entity.Metadata4);
        return new StoredFile
        {
            Id = TableKeys.IdOf(entity.RowKey),
            EnvironmentId = Guid.Parse(entity.PartitionKey),
            FolderId = entity.FolderId,
            Name = entity.Name,
            OriginalFilename = entity.OriginalFilename,
            Size = entity.Size,
            MimeType = entity.MimeType,
            Status = Enum.Parse<FileStatus>(entity.Status),
            ErrorMessage = entity.ErrorMessage,
            ReferenceId = entity.ReferenceId,
            Metadata = metadata is null ? null : JsonDocument.Parse(metadata).RootElement.Clone(),
            TotalChunks = entity.TotalChunks,
            TotalEmbeddings = entity.TotalEmbeddings,
            EmbeddingDimension = entity.EmbeddingDimension,
            PageCount = entity.PageCount,
            ContentHash = entity.ContentHash,
            Attempts = entity.Attempts,
            CreatedAt = entity.CreatedAt,
            UpdatedAt = entity.UpdatedAt,
        };
    }

    /// <summary>Copies what <see cref="IFileCatalog.UpdateFileAsync"/> may change; identity, name, folder and metadata stay as stored.</summary>
    public static void ApplyMutableFields(this FileEntity entity, StoredFile file)
    {
        entity.Status = file.Status.ToString();
        entity.ErrorMessage = LongText.Truncate(file.ErrorMessage);
        entity.TotalChunks = file.TotalChunks;
        entity.TotalEmbeddings = file.TotalEmbeddings;
        entity.EmbeddingDimension = file.EmbeddingDimension;
        entity.PageCount = file.PageCount;
        entity.ContentHash = file.ContentHash;
        entity.UpdatedAt = file.UpdatedAt;
    }

    public static UsageCounters ToCounters(this UsageEntity entity) =>
        new(entity.Requests, entity.Searches, entity.Chats, entity.Files, entity.Bytes, entity.Pages, entity.Chunks, entity.EmbeddingTokens);

    public static void SetCounters(this UsageEntity entity, UsageCounters counters)
    {
        entity.Requests = counters.Requests;
        entity.Searches = counters.Searches;
        entity.Chats = counters.Chats;
        entity.Files = counters.Files;
        entity.Bytes = counters.Bytes;
        entity.Pages = counters.Pages;
        entity.Chunks = counters.Chunks;
        entity.EmbeddingTokens = counters.EmbeddingTokens;
    }

    public static PromptVersionEntity ToEntity(this PromptVersion version)
    {
        var body = LongText.Split(version.Body, "body");
        return new PromptVersionEntity
        {
            PartitionKey = TableKeys.EnvironmentData(version.EnvironmentId),
            RowKey = TableKeys.PromptVersion(version.Name, version.VersionNumber),
            Name = version.Name,
            VersionNumber = version.VersionNumber,
            Body = body[0] ?? "",
            Body2 = body[1],
            Body3 = body[2],
            Body4 = body[3],
            IsLive = version.IsLive,
            CreatedAt = version.CreatedAt,
            UpdatedAt = version.UpdatedAt,
        };
    }

    public static PromptVersion ToPromptVersion(this PromptVersionEntity entity) =>
        new(Guid.Parse(entity.PartitionKey), entity.Name, entity.VersionNumber, LongText.Join(entity.Body, entity.Body2, entity.Body3, entity.Body4) ?? "",
            entity.IsLive, entity.CreatedAt, entity.UpdatedAt);
}
