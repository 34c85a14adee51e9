using Memic.Infra.Tests.Arm;

namespace Memic.Infra.Tests;

/// <summary>The evaluator the template tests rely on computes what ARM would, or refuses.</summary>
public sealed class ArmEvaluatorTests
{
    private static readonly ArmEvaluator Evaluator = new(
        DeploymentScope.Subscription("westeurope").InResourceGroup("rg-test"),
        new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["name"] = "st1", ["on"] = true },
        new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["names"] = new List<object?> { "a", "b" } });

    [Theory]
    [InlineData("[format('{0}-{1}', parameters('name'), 2)]", "st1-2")]
    [InlineData("[toLower(concat('A', 'B'))]", "ab")]
    [InlineData("[if(parameters('on'), 'yes', parameters('missing'))]", "yes")]
    [InlineData("[string(length(variables('names')))]", "2")]
    [InlineData("[first(map(variables('names'), lambda('n', format('x-{0}', lambdaVariables('n')))))]", "x-a")]
    [InlineData("[createObject('k', 'v').k]", "v")]
    [InlineData("[[not an expression]", "[not an expression]")]
    public void Expressions_evaluate_like_arm(string expression, string expected)
    {
        Assert.Equal(expected, Evaluator.Evaluate(expression));
    }

    [Fact]
    public void Resource_ids_are_built_in_the_current_resource_group()
    {
        var id = Evaluator.Evaluate("[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', 'st1', 'default', 'uploads')]");

        Assert.Equal(
            "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-test/providers/Microsoft.Storage/storageAccounts/st1/blobServices/default/containers/uploads",
            id);
    }

    [Fact]
    public void Deployment_time_values_stay_opaque_and_keep_their_origin()
    {
        var value = Evaluator.Evaluate("[format('{0}/x', reference(resourceId('Microsoft.Web/sites', 'app'), '2024-11-01').defaultHostName)]");

        var opaque = Assert.IsType<Opaque>(value);
        Assert.Contains("Microsoft.Web/sites/app", opaque.Text, StringComparison.Ordinal);
        Assert.EndsWith(".defaultHostName/x", opaque.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_functions_are_refused_rather_than_guessed()
    {
        Assert.Throws<NotSupportedException>(() => Evaluator.Evaluate("[dateTimeAdd(utcNow(), 'P1D')]"));
    }
}
