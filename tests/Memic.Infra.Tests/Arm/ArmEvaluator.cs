using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Memic.Infra.Tests.Arm;

/// <summary>Where a template is deployed: fixed fake ids stand in for the real ones.</summary>
internal sealed record DeploymentScope(string SubscriptionId, string TenantId, string Location, string? ResourceGroup)
{
    public static DeploymentScope Subscription(string location) =>
        new("00000000-0000-0000-0000-0000000000aa", "00000000-0000-0000-0000-0000000000bb", location, null);

    public DeploymentScope InResourceGroup(string name) => this with { ResourceGroup = name };
}

/// <summary>
/// Evaluates the subset of the ARM expression language that Bicep emits for these templates.
/// Deployment-time values (reference(), list*()) become <see cref="Opaque"/>; anything not
/// understood throws, so a test never passes on a value it could not compute.
/// </summary>
internal sealed class ArmEvaluator
{
    private readonly IReadOnlyDictionary<string, object?> _parameters;
    private readonly Dictionary<string, object?> _variableDefinitions;
    private readonly Dictionary<string, object?> _variables = ArmValue.NewObject();
    private readonly Dictionary<string, object?> _lambdaVariables;
    private readonly long? _copyIndex;

    public ArmEvaluator(DeploymentScope scope, IReadOnlyDictionary<string, object?> parameters, Dictionary<string, object?> variableDefinitions)
        : this(scope, parameters, variableDefinitions, ArmValue.NewObject(), null)
    {
    }

    private ArmEvaluator(
        DeploymentScope scope,
        IReadOnlyDictionary<string, object?> parameters,
        Dictionary<string, object?> variableDefinitions,
        Dictionary<string, object?> lambdaVariables,
        long? copyIndex)
    {
        Scope = scope;
        _parameters = parameters;
        _variableDefinitions = variableDefinitions;
        _lambdaVariables = lambdaVariables;
        _copyIndex = copyIndex;
    }

    public DeploymentScope Scope { get; }

    public ArmEvaluator WithCopyIndex(long index) =>
        new(Scope, _parameters, _variableDefinitions, _lambdaVariables, index);

    /// <summary>Evaluates a raw template value: expressions inside strings, recursively.</summary>
    public object? Evaluate(object? raw) => raw switch
    {
        string s when ArmExpression.IsExpression(s) => Evaluate(ArmExpression.Parse(s[1..^1])),
        string s => ArmExpression.Unescape(s),
        Dictionary<string, object?> o when o.ContainsKey("copy") && o["copy"] is List<object?> =>
            throw new NotSupportedException("Property loops (copy inside an object) are not evaluated."),
        // Keys can be expressions too (Bicep emits them for interpolated property names).
        Dictionary<string, object?> o => o.ToDictionary(p => ArmValue.ToArmString(Evaluate(p.Key)), p => Evaluate(p.Value), StringComparer.OrdinalIgnoreCase),
        List<object?> a => a.Select(Evaluate).ToList(),
        _ => raw,
    };

    public object? Evaluate(ArmExpression expression) => expression switch
    {
        Literal literal => literal.Value,
        MemberAccess member => Member(Evaluate(member.Target), member.Member),
        IndexAccess index => Index(Evaluate(index.Target), Evaluate(index.Index)),
        Call call => Invoke(call),
        _ => throw new NotSupportedException(expression.ToString()),
    };

    private static object? Member(object? target, string name) => target switch
    {
        Opaque o => new Opaque($"{o.Text}.{name}"),
        Dictionary<string, object?> d when d.TryGetValue(name, out var value) => value,
        _ => throw new InvalidOperationException($"No property '{name}' on {ArmValue.Render(target)}."),
    };

    private static object? Index(object? target, object? index) => (target, index) switch
    {
        (Opaque o, _) => new Opaque($"{o.Text}[{ArmValue.Render(index)}]"),
        (_, Opaque i) => new Opaque($"{ArmValue.Render(target)}[{i.Text}]"),
        (List<object?> list, long i) => list[(int)i],
        (Dictionary<string, object?> d, string key) => Member(d, key),
        _ => throw new InvalidOperationException($"Cannot index {ArmValue.Render(target)} with {ArmValue.Render(index)}."),
    };

    private object? Invoke(Call call)
    {
        var name = call.Name.ToLowerInvariant();

        // Lazily evaluated forms first: their arguments must not all be evaluated up front.
        switch (name)
        {
            case "if":
                return Evaluate(call.Arguments[0]) switch
                {
                    true => Evaluate(call.Arguments[1]),
                    false => Evaluate(call.Arguments[2]),
                    var other => new Opaque($"if({ArmValue.Render(other)}, ...)"),
                };
            // ARM stops at the first non-null argument, so a later fail() only runs when all before it are null.
            case "coalesce":
                foreach (var argument in call.Arguments)
                {
                    if (Evaluate(argument) is { } value)
                    {
                        return value;
                    }
                }

                return null;
            case "fail":
                throw new ArmTemplateFailedException(ArmValue.ToArmString(Evaluate(call.Arguments[0])));
            case "map":
            case "filter":
                return MapOrFilter(name, call);
            case "lambda":
                throw new NotSupportedException("lambda() outside map() or filter().");
        }

        var args = call.Arguments.Select(Evaluate).ToList();

        // Deployment-time values (ids, principal ids, endpoints) are never empty once deployed.
        if (name == "empty" && args[0] is Opaque)
        {
            return false;
        }

        if (name.StartsWith("list", StringComparison.Ordinal) || name is "reference" or "pickzones")
        {
            return OpaqueCall(call.Name, args);
        }

        // Anything derived from a deployment-time value is itself only known at deployment time.
        if (args.Any(a => a is Opaque) && name is not ("createobject" or "createarray" or "union" or "coalesce" or "parameters" or "variables"))
        {
            // format() keeps its shape, so an interpolated "${x}" reads as x itself.
            return name == "format" ? new Opaque(Format(Text(args[0]), args.Skip(1).ToList())) : OpaqueCall(call.Name, args);
        }

        return name switch
        {
            "parameters" => _parameters.TryGetValue(Text(args[0]), out var p) ? p : throw new KeyNotFoundException($"parameter {args[0]}"),
            "variables" => Variable(Text(args[0])),
            "lambdavariables" => _lambdaVariables[Text(args[0])],
            "copyindex" => (_copyIndex ?? throw new InvalidOperationException("copyIndex() outside a loop"))
                + args.OfType<long>().FirstOrDefault(),
            "true" => true,
            "false" => false,
            "null" => null,
            "equals" => ArmValue.Equals(args[0], args[1]),
            "not" => !(bool)args[0]!,
            "and" => args.All(a => (bool)a!),
            "or" => args.Any(a => (bool)a!),
            "empty" => args[0] switch
            {
                null => true,
                string s => s.Length == 0,
                List<object?> l => l.Count == 0,
                Dictionary<string, object?> d => d.Count == 0,
                _ => false,
            },
            "length" => args[0] switch
            {
                string s => (long)s.Length,
                List<object?> l => l.Count,
                Dictionary<string, object?> d => d.Count,
                _ => throw new InvalidOperationException("length() of a scalar"),
            },
            "greater" => Compare(args) > 0,
            "greaterorequals" => Compare(args) >= 0,
            "less" => Compare(args) < 0,
            "lessorequals" => Compare(args) <= 0,
            "add" => (long)args[0]! + (long)args[1]!,
            "sub" => (long)args[0]! - (long)args[1]!,
            "mul" => (long)args[0]! * (long)args[1]!,
            "div" => (long)args[0]! / (long)args[1]!,
            "mod" => (long)args[0]! % (long)args[1]!,
            "int" => Convert.ToInt64(args[0], CultureInfo.InvariantCulture),
            "bool" => args[0] is string b ? bool.Parse(b) : Convert.ToBoolean(args[0], CultureInfo.InvariantCulture),
            "string" => ArmValue.ToArmString(args[0]),
            "json" => ArmValue.FromJson(JsonDocument.Parse(Text(args[0])).RootElement),
            "tolower" => Text(args[0]).ToLowerInvariant(),
            "toupper" => Text(args[0]).ToUpperInvariant(),
            "concat" => Concat(args),
            "format" => Format(Text(args[0]), args.Skip(1).ToList()),
            "split" => Split(Text(args[0]), args[1]),
            "take" => args[0] is string ts ? ts[..(int)Math.Min(ts.Length, (long)args[1]!)] : List(args[0]).Take((int)(long)args[1]!).ToList(),
            "skip" => args[0] is string ss ? ss[(int)Math.Min(ss.Length, (long)args[1]!)..] : List(args[0]).Skip((int)(long)args[1]!).ToList(),
            "first" => args[0] is string fs ? fs[..1] : List(args[0]).FirstOrDefault(),
            "last" => args[0] is string ls ? ls[^1..] : List(args[0]).LastOrDefault(),
            "contains" => Contains(args[0], args[1]),
            "createarray" => args,
            "createobject" => CreateObject(args),
            "union" => Union(args),
            "shallowmerge" => Union(List(args[0])),
            "items" => Object(args[0]).OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase)
                .Select(p => (object?)new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["key"] = p.Key, ["value"] = p.Value })
                .ToList(),
            "tryget" => TryGet(args),
            "uniquestring" => UniqueString(args),
            "guid" => Guid(args),
            "subscription" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["id"] = $"/subscriptions/{Scope.SubscriptionId}",
                ["subscriptionId"] = Scope.SubscriptionId,
                ["tenantId"] = Scope.TenantId,
                ["displayName"] = "test subscription",
            },
            "resourcegroup" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["id"] = $"/subscriptions/{Scope.SubscriptionId}/resourceGroups/{ResourceGroup()}",
                ["name"] = ResourceGroup(),
                ["location"] = Scope.Location,
                ["tags"] = ArmValue.NewObject(),
            },
            "environment" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["name"] = "AzureCloud",
                ["resourceManager"] = "https://management.azure.com/",
                ["suffixes"] = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["storage"] = "core.windows.net" },
            },
            "tenant" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["tenantId"] = Scope.TenantId },
            "deployment" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["name"] = "test-deployment" },
            "resourceid" => ResourceId(args),
            "subscriptionresourceid" => SubscriptionResourceId(args),
            "extensionresourceid" => $"{Text(args[0])}/providers/{TypeAndNames(args.Skip(1).ToList())}",
            _ => throw new NotSupportedException($"ARM function {call.Name}() is not evaluated by the tests."),
        };
    }

    private object? Variable(string name)
    {
        if (!_variables.TryGetValue(name, out var value))
        {
            if (!_variableDefinitions.TryGetValue(name, out var raw))
            {
                throw new KeyNotFoundException($"variable {name}");
            }

            value = Evaluate(raw);
            _variables[name] = value;
        }

        return value;
    }

    private List<object?> MapOrFilter(string name, Call call)
    {
        var source = List(Evaluate(call.Arguments[0]));
        if (call.Arguments[1] is not Call { Name: var lambdaName } lambda || !lambdaName.Equals("lambda", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"{name}() without a lambda");
        }

        var parameterNames = lambda.Arguments.SkipLast(1).Select(a => (string)((Literal)a).Value).ToList();
        var body = lambda.Arguments[^1];
        var results = new List<object?>();
        for (var i = 0; i < source.Count; i++)
        {
            var lambdaVariables = new Dictionary<string, object?>(_lambdaVariables, StringComparer.OrdinalIgnoreCase)
            {
                [parameterNames[0]] = source[i],
            };
            if (parameterNames.Count > 1)
            {
                lambdaVariables[parameterNames[1]] = (long)i;
            }

            var inner = new ArmEvaluator(Scope, _parameters, _variableDefinitions, lambdaVariables, _copyIndex);
            var value = inner.Evaluate(body);
            if (name == "map")
            {
                results.Add(value);
            }
            else if (value is true)
            {
                results.Add(source[i]);
            }
            else if (value is not false)
            {
                throw new NotSupportedException("filter() on a deployment-time condition");
            }
        }

        return results;
    }

    private string ResourceGroup() =>
        Scope.ResourceGroup ?? throw new InvalidOperationException("resourceGroup() in a subscription-scoped deployment");

    private string ResourceId(List<object?> args)
    {
        // resourceId([subscriptionId], [resourceGroupName], type, name...): the type is the first argument with a '/'.
        var typeAt = args.FindIndex(a => a is string s && s.Contains('/', StringComparison.Ordinal));
        var subscriptionId = typeAt == 2 ? Text(args[0]) : Scope.SubscriptionId;
        var resourceGroup = typeAt >= 1 ? Text(args[typeAt - 1]) : ResourceGroup();
        return $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/{TypeAndNames(args.Skip(typeAt).ToList())}";
    }

    private string SubscriptionResourceId(List<object?> args)
    {
        var typeAt = args.FindIndex(a => a is string s && s.Contains('/', StringComparison.Ordinal));
        var subscriptionId = typeAt == 1 ? Text(args[0]) : Scope.SubscriptionId;
        return $"/subscriptions/{subscriptionId}/providers/{TypeAndNames(args.Skip(typeAt).ToList())}";
    }

    /// <summary>"Microsoft.X/a/b" + ["n1", "n2"] → "Microsoft.X/a/n1/b/n2".</summary>
    private static string TypeAndNames(List<object?> args)
    {
        var typeSegments = Text(args[0]).Split('/');
        var names = args.Skip(1).Select(Text).ToList();
        if (names.Count != typeSegments.Length - 1)
        {
            throw new InvalidOperationException($"{args[0]} needs {typeSegments.Length - 1} names, got {names.Count}.");
        }

        var builder = new StringBuilder(typeSegments[0]);
        for (var i = 0; i < names.Count; i++)
        {
            builder.Append('/').Append(typeSegments[i + 1]).Append('/').Append(names[i]);
        }

        return builder.ToString();
    }

    private static Opaque OpaqueCall(string name, List<object?> args) =>
        new($"{name}({string.Join(", ", args.Select(ArmValue.Render))})");

    private static string Text(object? value) =>
        value as string ?? throw new InvalidOperationException($"Expected a string, got {ArmValue.Render(value)}.");

    private static List<object?> List(object? value) =>
        value as List<object?> ?? throw new InvalidOperationException($"Expected an array, got {ArmValue.Render(value)}.");

    private static Dictionary<string, object?> Object(object? value) =>
        value as Dictionary<string, object?> ?? throw new InvalidOperationException($"Expected an object, got {ArmValue.Render(value)}.");

    private static int Compare(List<object?> args) => (args[0], args[1]) switch
    {
        (long a, long b) => a.CompareTo(b),
        (string a, string b) => string.CompareOrdinal(a, b),
        _ => throw new InvalidOperationException("Cannot compare"),
    };

    private static object Concat(List<object?> args) => args.All(a => a is List<object?>)
        ? args.SelectMany(a => (List<object?>)a!).ToList()
        : string.Concat(args.Select(ArmValue.ToArmString));

    private static string Format(string format, List<object?> args)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] == '{' && i + 1 < format.Length && format[i + 1] == '{')
            {
                builder.Append('{');
                i++;
            }
            else if (format[i] == '}' && i + 1 < format.Length && format[i + 1] == '}')
            {
                builder.Append('}');
                i++;
            }
            else if (format[i] == '{')
            {
                var end = format.IndexOf('}', i);
                var index = int.Parse(format.AsSpan(i + 1, end - i - 1).ToString().Split(':')[0], CultureInfo.InvariantCulture);
                builder.Append(ArmValue.ToArmString(args[index]));
                i = end;
            }
            else
            {
                builder.Append(format[i]);
            }
        }

        return builder.ToString();
    }

    private static List<object?> Split(string text, object? delimiters)
    {
        var separators = delimiters is List<object?> many ? many.Select(Text).ToArray() : [Text(delimiters)];
        return text.Split(separators, StringSplitOptions.None).Select(s => (object?)s).ToList();
    }

    private static bool Contains(object? container, object? item) => container switch
    {
        string s => s.Contains(Text(item), StringComparison.Ordinal),
        List<object?> l => l.Any(e => ArmValue.Equals(e, item)),
        Dictionary<string, object?> d => d.ContainsKey(Text(item)),
        _ => throw new InvalidOperationException("contains() on a scalar"),
    };

    private static Dictionary<string, object?> CreateObject(List<object?> args)
    {
        var result = ArmValue.NewObject();
        for (var i = 0; i < args.Count; i += 2)
        {
            result[Text(args[i])] = args[i + 1];
        }

        return result;
    }

    private static object Union(List<object?> args)
    {
        if (args.All(a => a is List<object?>))
        {
            var items = new List<object?>();
            foreach (var item in args.SelectMany(a => (List<object?>)a!).Where(item => !items.Any(e => ArmValue.Equals(e, item))))
            {
                items.Add(item);
            }

            return items;
        }

        var result = ArmValue.NewObject();
        foreach (var (key, value) in args.SelectMany(Object))
        {
            // Like ARM, nested objects merge rather than replace.
            result[key] = result.TryGetValue(key, out var existing) && existing is Dictionary<string, object?> && value is Dictionary<string, object?>
                ? Union([existing, value])
                : value;
        }

        return result;
    }

    private static object? TryGet(List<object?> args)
    {
        var current = args[0];
        foreach (var key in args.Skip(1))
        {
            current = (current, key) switch
            {
                (Dictionary<string, object?> d, string k) => d.GetValueOrDefault(k),
                (List<object?> l, long i) => i < l.Count ? l[(int)i] : null,
                _ => null,
            };
        }

        return current;
    }

    private static byte[] Hash(List<object?> args) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u001f", args.Select(ArmValue.ToArmString))));

    private static string UniqueString(List<object?> args)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        return new string(Hash(args).Take(13).Select(b => alphabet[b % alphabet.Length]).ToArray());
    }

    private static string Guid(List<object?> args) => new Guid(Hash(args).AsSpan(0, 16)).ToString();
}

/// <summary>The template called fail(): the deployment would stop with this message.</summary>
internal sealed class ArmTemplateFailedException(string message) : Exception(message);
