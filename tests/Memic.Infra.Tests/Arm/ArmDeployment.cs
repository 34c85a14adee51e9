using System.Text.Json;

namespace Memic.Infra.Tests.Arm;

/// <summary>One resource a template would deploy, with its body evaluated.</summary>
/// <param name="Deployment">Path of nested deployment names from the root template, e.g. "function-app".</param>
internal sealed record ArmResource(string Deployment, DeploymentScope Scope, Dictionary<string, object?> Body)
{
    public string Type => (string)Body["type"]!;

    public object? Name => Body["name"];

    public Dictionary<string, object?> Properties =>
        Body.GetValueOrDefault("properties") as Dictionary<string, object?> ?? ArmValue.NewObject();

    public Dictionary<string, object?> Tags =>
        Body.GetValueOrDefault("tags") as Dictionary<string, object?> ?? ArmValue.NewObject();

    public override string ToString() => $"{Type} {ArmValue.ToArmString(Name)} (in {Deployment})";
}

/// <summary>
/// What a compiled ARM template deploys for given parameters: every resource of the template and
/// its nested deployments (Bicep modules), after conditions and loops are applied.
/// </summary>
internal sealed class ArmDeployment
{
    private const string DeploymentsType = "Microsoft.Resources/deployments";

    private ArmDeployment(List<ArmResource> resources, Dictionary<string, object?> outputs)
    {
        Resources = resources;
        Outputs = outputs;
    }

    public IReadOnlyList<ArmResource> Resources { get; }

    /// <summary>Outputs of the root template.</summary>
    public IReadOnlyDictionary<string, object?> Outputs { get; }

    public IEnumerable<ArmResource> OfType(string type) =>
        Resources.Where(r => r.Type.Equals(type, StringComparison.OrdinalIgnoreCase));

    public static Dictionary<string, object?> Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return (Dictionary<string, object?>)ArmValue.FromJson(document.RootElement)!;
    }

    public static ArmDeployment Evaluate(
        Dictionary<string, object?> template,
        IReadOnlyDictionary<string, object?> parameters,
        DeploymentScope scope)
    {
        var resources = new List<ArmResource>();
        var evaluator = Deploy(template, parameters, scope, string.Empty, resources);
        var outputs = ArmValue.NewObject();
        foreach (var (name, output) in (template.GetValueOrDefault("outputs") as Dictionary<string, object?>) ?? [])
        {
            outputs[name] = evaluator.Evaluate(((Dictionary<string, object?>)output!)["value"]);
        }

        return new ArmDeployment(resources, outputs);
    }

    private static ArmEvaluator Deploy(
        Dictionary<string, object?> template,
        IReadOnlyDictionary<string, object?> supplied,
        DeploymentScope scope,
        string path,
        List<ArmResource> resources)
    {
        if (template.GetValueOrDefault("functions") is List<object?> { Count: > 0 })
        {
            throw new NotSupportedException("User-defined functions are not evaluated.");
        }

        var declared = (template.GetValueOrDefault("parameters") as Dictionary<string, object?>) ?? [];
        foreach (var name in supplied.Keys.Where(name => !declared.ContainsKey(name)))
        {
            throw new InvalidOperationException($"Parameter '{name}' is passed to {path} but not declared.");
        }

        var variables = (template.GetValueOrDefault("variables") as Dictionary<string, object?>) ?? [];
        if (variables.ContainsKey("copy"))
        {
            throw new NotSupportedException("Variable loops are not evaluated.");
        }

        var parameters = ArmValue.NewObject();
        var evaluator = new ArmEvaluator(scope, parameters, variables);
        foreach (var (name, definition) in declared)
        {
            var declaration = (Dictionary<string, object?>)definition!;
            parameters[name] = supplied.TryGetValue(name, out var value) ? value
                : declaration.TryGetValue("defaultValue", out var defaultValue) ? evaluator.Evaluate(defaultValue)
                : declaration.GetValueOrDefault("nullable") is true ? null
                : throw new InvalidOperationException($"Parameter '{name}' of {path} has no value.");
        }

        // Bicep emits an array of resources, or an object keyed by symbolic name (languageVersion 2.0).
        var declaredResources = template.GetValueOrDefault("resources") switch
        {
            List<object?> list => list.Cast<Dictionary<string, object?>>(),
            Dictionary<string, object?> symbolic => symbolic.Values.Cast<Dictionary<string, object?>>(),
            _ => [],
        };

        foreach (var resource in declaredResources.Where(r => r.GetValueOrDefault("existing") is not true))
        {
            if (resource.GetValueOrDefault("copy") is Dictionary<string, object?> copy)
            {
                var count = (long)evaluator.Evaluate(copy["count"])!;
                for (var i = 0L; i < count; i++)
                {
                    DeployResource(resource, evaluator.WithCopyIndex(i), path, resources);
                }
            }
            else
            {
                DeployResource(resource, evaluator, path, resources);
            }
        }

        return evaluator;
    }

    private static void DeployResource(Dictionary<string, object?> resource, ArmEvaluator evaluator, string path, List<ArmResource> resources)
    {
        if (resource.TryGetValue("condition", out var condition) && evaluator.Evaluate(condition) is false)
        {
            return;
        }

        var type = (string)resource["type"]!;
        if (!type.Equals(DeploymentsType, StringComparison.OrdinalIgnoreCase))
        {
            var body = resource
                .Where(p => p.Key is not ("copy" or "condition" or "dependsOn"))
                .ToDictionary(p => p.Key, p => evaluator.Evaluate(p.Value), StringComparer.OrdinalIgnoreCase);
            resources.Add(new ArmResource(path, evaluator.Scope, body));
            return;
        }

        var name = ArmValue.ToArmString(evaluator.Evaluate(resource["name"]));
        var scope = resource.TryGetValue("resourceGroup", out var resourceGroup)
            ? evaluator.Scope.InResourceGroup((string)evaluator.Evaluate(resourceGroup)!)
            : evaluator.Scope;
        var properties = (Dictionary<string, object?>)resource["properties"]!;
        var parameters = ((properties.GetValueOrDefault("parameters") as Dictionary<string, object?>) ?? [])
            .ToDictionary(
                p => p.Key,
                // Bicep may emit the whole {"value": ...} wrapper as one expression.
                p => ((Dictionary<string, object?>)evaluator.Evaluate(p.Value)!)["value"],
                StringComparer.OrdinalIgnoreCase);
        Deploy((Dictionary<string, object?>)properties["template"]!, parameters, scope, path.Length == 0 ? name : $"{path}/{name}", resources);
    }
}
