using System.Collections.Concurrent;

namespace Memic.Http.Requests;

/// <summary>An enum's values by their wire names (<c>embedding_started</c>), for reading them from bodies and queries.</summary>
internal static class WireNames
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, object>> ByType = new();

    public static IReadOnlyDictionary<string, object> Of(Type enumType) =>
        ByType.GetOrAdd(enumType, type => Enum.GetValues(type).Cast<object>()
            .ToDictionary(value => MemicJson.EnumNaming.ConvertName(value.ToString()!), StringComparer.Ordinal));
}
