using System.Text.Json;
using System.Text.Json.Serialization;

namespace Memic.Client.Internals;

/// <summary>Source-generated serializers for every wire model: snake_case names, nulls left out of request bodies.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MemicIdentity))]
[JsonSerializable(typeof(IReadOnlyList<MemicProject>))]
[JsonSerializable(typeof(MemicProject))]
[JsonSerializable(typeof(MemicOrganization))]
[JsonSerializable(typeof(MemicEnvironment))]
[JsonSerializable(typeof(IReadOnlyList<MemicEnvironment>))]
[JsonSerializable(typeof(CreatedEnvironment))]
[JsonSerializable(typeof(CreateEnvironmentRequest))]
[JsonSerializable(typeof(ApiKeyInfo))]
[JsonSerializable(typeof(IReadOnlyList<ApiKeyInfo>))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(EnvironmentUsage))]
[JsonSerializable(typeof(InitFileRequest))]
[JsonSerializable(typeof(FileUploadTicket))]
[JsonSerializable(typeof(MemicFile))]
[JsonSerializable(typeof(FilePage))]
[JsonSerializable(typeof(MemicFolder))]
[JsonSerializable(typeof(IReadOnlyList<MemicFolder>))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(SearchResponse))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ChatResponse))]
[JsonSerializable(typeof(LivePrompt))]
[JsonSerializable(typeof(PromptVersion))]
[JsonSerializable(typeof(MemicPrompt))]
[JsonSerializable(typeof(IReadOnlyList<MemicPrompt>))]
[JsonSerializable(typeof(CreatePromptBody))]
[JsonSerializable(typeof(SetLiveBody))]
[JsonSerializable(typeof(NameBody))]
[JsonSerializable(typeof(CreateProjectBody))]
[JsonSerializable(typeof(HealthBody))]
internal sealed partial class MemicJsonContext : JsonSerializerContext;
