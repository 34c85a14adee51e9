using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Memic.Core.Errors;
using ValidationException = Memic.Core.Errors.ValidationException;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Requests;

/// <summary>
/// Binds a query string to a query record, as <see cref="BodyBinder"/> binds bodies: the record's constructor
/// parameters are the parameters (snake_case), their attributes the rules, their defaults the defaults; every bad
/// value is reported together in one 422 located under <c>query</c>.
/// </summary>
internal static class QueryBinder
{
    private static readonly ConcurrentDictionary<Type, (ConstructorInfo Constructor, ParameterInfo[] Parameters)> Shapes = new();

    public static T Bind<T>(IQueryCollection query)
        where T : class => (T)Bind(typeof(T), query);

    public static object Bind(Type type, IQueryCollection query)
    {
        var (constructor, parameters) = Shapes.GetOrAdd(type, type =>
        {
            var constructor = type.GetConstructors().MaxBy(c => c.GetParameters().Length)
                ?? throw new InvalidOperationException($"{type.Name} has no public constructor to bind.");
            return (constructor, constructor.GetParameters());
        });

        var errors = new List<FieldError>();
        var arguments = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            var raw = query[BodyBinder.WireName(parameter)].ToString();
            var fallback = parameter.HasDefaultValue ? parameter.DefaultValue : null;
            arguments[i] = raw.Length == 0 ? fallback : Parse(parameter, raw, errors) ?? fallback;
        }

        return errors.Count > 0 ? throw new ValidationException(errors) : constructor.Invoke(arguments);
    }

    private static object? Parse(ParameterInfo parameter, string raw, List<FieldError> errors)
    {
        var name = BodyBinder.WireName(parameter);
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        object? Fail(string message, string kind)
        {
            errors.Add(new FieldError(["query", name], message, kind));
            return null;
        }

        if (type == typeof(string))
        {
            var max = parameter.GetCustomAttribute<StringLengthAttribute>()?.MaximumLength ?? 1000;
            return raw.Length > max ? Fail($"String should have at most {max} characters.", "string_too_long") : raw;
        }

        if (type == typeof(int))
        {
            if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return Fail("Input should be a valid integer.", "int_parsing");
            }

            var range = parameter.GetCustomAttribute<RangeAttribute>();
            var min = range is null ? int.MinValue : Convert.ToInt32(range.Minimum, CultureInfo.InvariantCulture);
            var max = range is null ? int.MaxValue : Convert.ToInt32(range.Maximum, CultureInfo.InvariantCulture);
            return value < min || value > max
                ? Fail($"Input should be between {min} and {max}.", value < min ? "greater_than_equal" : "less_than_equal")
                : value;
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(raw, out var value) ? value
                : raw is "1" or "0" ? raw == "1"
                : Fail("Input should be a valid boolean.", "bool_parsing");
        }

        if (type == typeof(Guid))
        {
            return Guid.TryParse(raw, out var id) ? id : Fail("Input should be a valid UUID.", "uuid_parsing");
        }

        if (type == typeof(DateOnly))
        {
            return DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? day
                : Fail("Input should be a date as YYYY-MM-DD.", "date_parsing");
        }

        if (type.IsEnum)
        {
            var names = WireNames.Of(type);
            return names.TryGetValue(raw, out var value) ? value : Fail($"Input should be one of: {string.Join(", ", names.Keys)}.", "enum");
        }

        throw new NotSupportedException($"{type.Name} is not a query parameter type.");
    }
}
