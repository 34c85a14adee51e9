using Azure;
using Azure.Data.Tables;
using Memic.Azure.Limits;

namespace Memic.Azure.Internals;

/// <summary>The table-entity shape every catalog entity shares.</summary>
internal abstract class CatalogEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }
}

internal sealed class OrganizationEntity : CatalogEntity
{
    public string Name { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class ProjectEntity : CatalogEntity
{
    public Guid OrganizationId { get; set; }

    public string Name { get; set; } = "";

    public bool IsActive { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class EnvironmentEntity : CatalogEntity
{
    public Guid ProjectId { get; set; }

    public Guid OrganizationId { get; set; }

    public string Slug { get; set; } = "";

    public string Name { get; set; } = "";

    public string Status { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The search service the environment's index is on; null until the pool places it.</summary>
    public string? SearchService { get; set; }

    /// <summary>When the environment expires (CONTRACT §16); null = never.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>A dashboard user, in the tenancy table's <c>user</c> partition beside the marker that keeps its email unique.</summary>
internal sealed class UserEntity : CatalogEntity
{
    public Guid OrganizationId { get; set; }

    public string Email { get; set; } = "";

    public string Role { get; set; } = "";

    public string PasswordHash { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A session, found by the hex of its token's SHA-256 (the row key).</summary>
internal sealed class SessionEntity : CatalogEntity
{
    public Guid UserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>One failed sign-in; the row key (email segment, time) is all it says.</summary>
internal sealed class LoginFailureEntity : CatalogEntity
{
    public DateTimeOffset At { get; set; }
}

/// <summary>
/// How many environments one search service holds. It sits in the environments' partition so a placement changes it
/// and the environment row in one transaction.
/// </summary>
internal sealed class SearchSlotsEntity : CatalogEntity
{
    public string Service { get; set; } = "";

    public int Placed { get; set; }
}

/// <summary>A search service the pool deployed at run time.</summary>
internal sealed class SearchServiceEntity : CatalogEntity
{
    public string Name { get; set; } = "";

    public string Endpoint { get; set; } = "";

    public int IndexCapacity { get; set; }

    public int SearchUnits { get; set; }

    public DateTimeOffset AddedAt { get; set; }
}

/// <summary>A uniqueness marker: its row key is the unique value, <see cref="Owner"/> the id of the row holding it.</summary>
internal sealed class MarkerEntity : CatalogEntity
{
    public Guid Owner { get; set; }
}

internal sealed class SettingEntity : CatalogEntity
{
    public string Name { get; set; } = "";

    public string Value { get; set; } = "";
}

/// <summary>Where a key's record is: an environment's partition, or the generated admin key's row.</summary>
internal sealed class KeyLocatorEntity : CatalogEntity
{
    public string Scope { get; set; } = "";

    public Guid? EnvironmentId { get; set; }
}

internal sealed class KeyEntity : CatalogEntity
{
    public Guid Id { get; set; }

    public Guid? EnvironmentId { get; set; }

    public string Name { get; set; } = "";

    public string Prefix { get; set; } = "";

    public byte[] KeyHash { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

internal sealed class FolderEntity : CatalogEntity
{
    public string Name { get; set; } = "";

    public bool IsDefault { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A file. Custom metadata may exceed one property's 64 KiB, so it is spread over <see cref="LongText.Parts"/> properties.</summary>
internal sealed class FileEntity : CatalogEntity
{
    public Guid FolderId { get; set; }

    public string Name { get; set; } = "";

    public string OriginalFilename { get; set; } = "";

    public long Size { get; set; }

    public string MimeType { get; set; } = "";

    public string Status { get; set; } = "";

    public string? ErrorMessage { get; set; }

    public string? ReferenceId { get; set; }

    public string? Metadata { get; set; }

    public string? Metadata2 { get; set; }

    public string? Metadata3 { get; set; }

    public string? Metadata4 { get; set; }

    public int TotalChunks { get; set; }

    public int TotalEmbeddings { get; set; }

    public int? EmbeddingDimension { get; set; }

    public int? PageCount { get; set; }

    public string? ContentHash { get; set; }

    /// <summary>Ingestion runs started; rows written before it existed read as 0.</summary>
    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class UsageEntity : CatalogEntity
{
    public long Requests { get; set; }

    public long Searches { get; set; }

    public long Chats { get; set; }

    public long Files { get; set; }

    public long Bytes { get; set; }

    public long Pages { get; set; }

    public long Chunks { get; set; }

    public long EmbeddingTokens { get; set; }
}

/// <summary>A prompt name's head: the ETag that serialises new versions and live switches of the name.</summary>
internal sealed class PromptNameEntity : CatalogEntity
{
    public string Name { get; set; } = "";

    public int LatestVersion { get; set; }

    public int? LiveVersion { get; set; }
}

/// <summary>One prompt version. Bodies reach 100,000 characters, past one property's 64 KiB, so they are spread over parts.</summary>
internal sealed class PromptVersionEntity : CatalogEntity
{
    public string Name { get; set; } = "";

    public int VersionNumber { get; set; }

    public string Body { get; set; } = "";

    public string? Body2 { get; set; }

    public string? Body3 { get; set; }

    public string? Body4 { get; set; }

    public bool IsLive { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Which environment's partition holds a connector, for the admin API's lookups by id alone.</summary>
internal sealed class ConnectorLocatorEntity : CatalogEntity
{
    public Guid EnvironmentId { get; set; }
}

/// <summary>A connector; its schema may exceed one property's 64 KiB, so it is spread over <see cref="LongText.Parts"/> properties.</summary>
internal sealed class ConnectorEntity : CatalogEntity
{
    public Guid Id { get; set; }

    public Guid EnvironmentId { get; set; }

    public string Name { get; set; } = "";

    public string Kind { get; set; } = "";

    public string? Description { get; set; }

    public string Status { get; set; } = "";

    public string? Error { get; set; }

    public string? AllowList { get; set; }

    public string? AllowList2 { get; set; }

    public string? AllowList3 { get; set; }

    public string? AllowList4 { get; set; }

    public string? Tables { get; set; }

    public string? Tables2 { get; set; }

    public string? Tables3 { get; set; }

    public string? Tables4 { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset RefreshedAt { get; set; }
}

/// <summary>An environment's quotas (CONTRACT §17), one row in its partition; a null property is unlimited.</summary>
internal sealed class QuotaEntity : CatalogEntity
{
    public long? MaxFiles { get; set; }

    public long? MaxStorageBytes { get; set; }

    public long? MaxMonthlySearches { get; set; }

    public long? MaxMonthlyChats { get; set; }

    public long? MaxMonthlyEmbeddingTokens { get; set; }
}

/// <summary>One key's permits taken in one fixed window, shared by every instance (AzureTableWindowCounter).</summary>
internal sealed class RateWindowEntity : CatalogEntity, ICounterEntity
{
    public int Taken { get; set; }

    long ICounterEntity.Count
    {
        get => Taken;
        set => Taken = checked((int)value);
    }
}

/// <summary>One environment's reservations against one monthly quota in one month, shared by every instance (AzureTableQuotaCounter).</summary>
internal sealed class QuotaReservationEntity : CatalogEntity, ICounterEntity
{
    public long Reserved { get; set; }

    long ICounterEntity.Count
    {
        get => Reserved;
        set => Reserved = value;
    }
}
