using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Memic.Core.Errors;
using ValidationException = Memic.Core.Errors.ValidationException;

namespace Memic.Http.Requests;

/// <summary>
/// Binds a JSON object to a request record, the one place a body's rules are applied: the record's constructor
/// parameters are the fields (snake_case on the wire), their types and DataAnnotations attributes the rules, their
/// default values the defaults. Every field error is collected, then the record's own cross-field rules
/// (<see cref="IValidatableObject"/>) run, and everything found is reported as one 422 (CONTRACT §11).
/// </summary>
/// <remarks>
/// Not System.Text.Json deserialization, because that stops at the first wrong field and the contract lists them all.
/// </remarks>
internal static class BodyBinder
{
    private const int DefaultMaxItems = 1000;
    private const int DefaultMaxItemLength = 1000;
    private static readonly ConcurrentDictionary<Type, RecordShape> Shapes = new();

    public static T Bind<T>(JsonElement root, IServiceProvider services)
        where T : class => (T)Bind(typeof(T), root, services);

    public static object Bind(Type type, JsonElement root, IServiceProvider services)
    {
        var errors = new List<FieldError>();
        var value = BindRecord(type, root, ["body"], errors);
        if (value is IValidatableObject validatable)
        {
            var context = new ValidationContext(value, services, items: null);
            errors.AddRange(validatable.Validate(context).OfType<FieldValidationResult>().Select(r => r.Error));
        }

        return errors.Count > 0 ? throw new ValidationException(errors) : value;
    }

    /// <summary>The wire name of a record's field.</summary>
    public static string WireName(ParameterInfo parameter) => MemicJson.Options.PropertyNamingPolicy!.ConvertName(parameter.Name!);

    /// <summary>
    /// Builds the record even when some fields are wrong (those get their defaults), so its cross-field rules can
    /// still add their findings to the same 422.
    /// </summary>
    private static object BindRecord(Type type, JsonElement json, IReadOnlyList<string> location, List<FieldError> errors)
    {
        var shape = Shapes.GetOrAdd(type, RecordShape.Of);
        var arguments = new object?[shape.Fields.Length];
        for (var i = 0; i < shape.Fields.Length; i++)
        {
            var field = shape.Fields[i];
            arguments[i] = field.Fallback;
            if (json.TryGetProperty(field.Name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                arguments[i] = BindValue(field.Type, field.Parameter, value, [.. location, field.Name], errors) ?? field.Fallback;
            }
            else if (field.Required || (field.RequiredWithout is { } other && !Has(json, other)))
            {
                errors.Add(new FieldError([.. location, field.Name], "Field required.", "missing"));
            }
        }

        return shape.Constructor.Invoke(arguments);
    }

    private static bool Has(JsonElement json, string field) =>
        json.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    private static object? BindValue(Type type, ParameterInfo rules, JsonElement value, IReadOnlyList<string> location, List<FieldError> errors)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        object? Fail(string message, string kind)
        {
            errors.Add(new FieldError(location, message, kind));
            return null;
        }

        if (type == typeof(string))
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                return Fail("Input should be a valid string.", "string_type");
            }

            var text = value.GetString()!;
            var length = rules.GetCustomAttribute<StringLengthAttribute>();
            if (length is not null && text.Length < length.MinimumLength)
            {
                return Fail($"String should have at least {length.MinimumLength} character{(length.MinimumLength == 1 ? "" : "s")}.", "string_too_short");
            }

            return length is not null && text.Length > length.MaximumLength
                ? Fail($"String should have at most {length.MaximumLength} characters.", "string_too_long")
                : text;
        }

        if (type == typeof(Guid))
        {
            return value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var id)
                ? id
                : Fail("Input should be a valid UUID.", "uuid_parsing");
        }

        if (type == typeof(int) || type == typeof(long))
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
            {
                return Fail("Input should be a valid integer.", "int_type");
            }

            var (min, max) = Bounds(rules, type == typeof(int) ? int.MinValue : long.MinValue, type == typeof(int) ? int.MaxValue : long.MaxValue);
            if (number < min)
            {
                return Fail($"Input should be greater than or equal to {min}.", "greater_than_equal");
            }

            if (number > max)
            {
                return Fail($"Input should be less than or equal to {max}.", "less_than_equal");
            }

            return type == typeof(int) ? (object)(int)number : number;
        }

        if (type == typeof(double))
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                return Fail("Input should be a valid number.", "float_type");
            }

            var number = value.GetDouble();
            var range = rules.GetCustomAttribute<RangeAttribute>();
            var min = range is null ? double.MinValue : Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
            var max = range is null ? double.MaxValue : Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
            if (number < min)
            {
                return Fail($"Input should be greater than or equal to {min.ToString(CultureInfo.InvariantCulture)}.", "greater_than_equal");
            }

            return number > max ? Fail($"Input should be less than or equal to {max.ToString(CultureInfo.InvariantCulture)}.", "less_than_equal") : number;
        }

        if (type == typeof(DateTimeOffset))
        {
            // RFC 3339: a date, a time and an offset (Z or ±hh:mm); a time without an offset is ambiguous, so refused.
            var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
            return text.Length >= 20 && (text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-')
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                ? at
                : Fail("Input should be an RFC 3339 date-time with an offset, e.g. 2026-12-24T18:00:00Z.", "datetime_parsing");
        }

        if (type == typeof(bool))
        {
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => Fail("Input should be a valid boolean.", "bool_type"),
            };
        }

        if (type.IsEnum)
        {
            var names = WireNames.Of(type);
            return value.ValueKind == JsonValueKind.String && names.TryGetValue(value.GetString()!, out var known)
                ? known
                : Fail($"Input should be one of: {string.Join(", ", names.Keys)}.", "enum");
        }

        if (type == typeof(JsonElement))
        {
            // A free-form object (custom metadata), cloned so it outlives the request's document.
            return value.ValueKind == JsonValueKind.Object ? value.Clone() : Fail("Input should be a valid dictionary.", "dict_type");
        }

        if (type == typeof(IReadOnlyDictionary<string, string>))
        {
            return BindScalarMap(value, location, errors);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            return BindList(type.GetGenericArguments()[0], rules, value, location, errors);
        }

        return value.ValueKind == JsonValueKind.Object
            ? BindRecord(type, value, location, errors)
            : Fail("Input should be a valid dictionary.", "dict_type");
    }

    /// <summary>
    /// A list: of records, each located by its index; of scalars, reported once for the whole list (the first bad item).
    /// </summary>
    private static Array? BindList(Type itemType, ParameterInfo rules, JsonElement value, IReadOnlyList<string> location, List<FieldError> errors)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new FieldError(location, "Input should be a valid list.", "list_type"));
            return null;
        }

        var maxItems = rules.GetCustomAttribute<MaxLengthAttribute>()?.Length ?? DefaultMaxItems;
        if (value.GetArrayLength() > maxItems)
        {
            errors.Add(new FieldError(location, $"List should have at most {maxItems} items.", "too_long"));
            return null;
        }

        var items = Array.CreateInstance(itemType, value.GetArrayLength());
        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            var at = index.ToString(CultureInfo.InvariantCulture);
            if (RecordShape.IsRecord(itemType))
            {
                if (element.ValueKind == JsonValueKind.Object)
                {
                    items.SetValue(BindRecord(itemType, element, [.. location, at], errors), index);
                }
                else
                {
                    errors.Add(new FieldError([.. location, at], "Input should be a valid dictionary.", "dict_type"));
                }
            }
            else if (BindListItem(itemType, rules, element) is { } item)
            {
                items.SetValue(item, index);
            }
            else
            {
                var (message, kind) = ListItemRule(itemType, rules);
                errors.Add(new FieldError(location, message, kind));
                return null;
            }

            index++;
        }

        return items;
    }

    private static object? BindListItem(Type itemType, ParameterInfo rules, JsonElement element)
    {
        if (itemType == typeof(string))
        {
            return element.ValueKind == JsonValueKind.String && element.GetString()!.Length <= DefaultMaxItemLength ? element.GetString() : null;
        }

        if (itemType == typeof(Guid))
        {
            return element.ValueKind == JsonValueKind.String && Guid.TryParse(element.GetString(), out var id) ? id : null;
        }

        if (itemType == typeof(int))
        {
            var (min, max) = Bounds(rules, int.MinValue, int.MaxValue);
            return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var n) && n >= min && n <= max ? n : null;
        }

        throw new NotSupportedException($"Lists of {itemType.Name} are not a request field type.");
    }

    private static (string Message, string Type) ListItemRule(Type itemType, ParameterInfo rules)
    {
        if (itemType == typeof(string))
        {
            return ("Input should be a list of strings.", "string_type");
        }

        if (itemType == typeof(Guid))
        {
            return ("Input should be a list of UUIDs.", "uuid_parsing");
        }

        var (min, max) = Bounds(rules, int.MinValue, int.MaxValue);
        return ($"Input should be a list of integers between {min} and {max}.", "int_type");
    }

    /// <summary>An object of scalar values as strings (metadata filters).</summary>
    private static Dictionary<string, string>? BindScalarMap(JsonElement value, IReadOnlyList<string> location, List<FieldError> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError(location, "Input should be a valid dictionary.", "dict_type"));
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            var scalar = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => null,
            };
            if (scalar is null)
            {
                errors.Add(new FieldError(location, $"Value of '{property.Name}' should be a string, number or boolean.", "value_error"));
                return null;
            }

            map[property.Name] = scalar;
        }

        return map;
    }

    private static (long Min, long Max) Bounds(ParameterInfo rules, long min, long max) =>
        rules.GetCustomAttribute<RangeAttribute>() is { } range
            ? (Convert.ToInt64(range.Minimum, CultureInfo.InvariantCulture), Convert.ToInt64(range.Maximum, CultureInfo.InvariantCulture))
            : (min, max);

    /// <summary>A request record's constructor and its fields, read once per type.</summary>
    private sealed record RecordShape(ConstructorInfo Constructor, RecordField[] Fields)
    {
        public static bool IsRecord(Type type) =>
            type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type);

        public static RecordShape Of(Type type)
        {
            var constructor = type.GetConstructors().MaxBy(c => c.GetParameters().Length)
                ?? throw new InvalidOperationException($"{type.Name} has no public constructor to bind.");
            return new RecordShape(constructor, [.. constructor.GetParameters().Select(RecordField.Of)]);
        }
    }

    private sealed record RecordField(ParameterInfo Parameter, string Name, Type Type, bool Required, string? RequiredWithout, object? Fallback)
    {
        public static RecordField Of(ParameterInfo parameter)
        {
            var fallback = parameter.HasDefaultValue
                ? parameter.DefaultValue
                : parameter.ParameterType.IsValueType && Nullable.GetUnderlyingType(parameter.ParameterType) is null
                    ? Activator.CreateInstance(parameter.ParameterType)
                    : null;
            return new RecordField(
                parameter, WireName(parameter), parameter.ParameterType, parameter.IsDefined(typeof(RequiredAttribute)),
                parameter.GetCustomAttribute<RequiredWithoutAttribute>()?.Field, fallback);
        }
    }
}
