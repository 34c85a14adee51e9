using System.Text.RegularExpressions;
using Memic.Infra.Tests.Arm;
using Memic.Infra.Tests.Bicep;

namespace Memic.Infra.Tests;

/// <summary>infra/main.parameters.json: what azd feeds main.bicep from its environment.</summary>
public sealed partial class ParametersFileTests(InfraFixture infra)
{
    private readonly Dictionary<string, object?> _parameters =
        (Dictionary<string, object?>)ArmDeployment.Load(Path.Combine(BicepCli.InfraDirectory, "main.parameters.json"))["parameters"]!;

    private Dictionary<string, object?> Declared => (Dictionary<string, object?>)infra.Template("main.bicep")["parameters"]!;

    [Theory]
    [InlineData("environmentName", "${AZURE_ENV_NAME}")]
    [InlineData("location", "${AZURE_LOCATION}")]
    [InlineData("principalId", "${AZURE_PRINCIPAL_ID}")]
    public void Azd_variables_feed_the_required_parameters(string parameter, string expected)
    {
        Assert.Equal(expected, Value(parameter));
    }

    [Fact]
    public void Every_parameter_in_the_file_is_declared_by_main_bicep()
    {
        Assert.All(_parameters.Keys, name => Assert.True(Declared.ContainsKey(name), $"{name} is not a parameter of main.bicep"));
    }

    [Fact]
    public void Every_value_is_an_azd_variable_and_its_default_is_allowed()
    {
        Assert.All(_parameters.Keys, name =>
        {
            var match = AzdVariable().Match(Value(name));
            Assert.True(match.Success, $"{name}: {Value(name)}");
            var declaration = (Dictionary<string, object?>)Declared[name]!;
            if (match.Groups["default"].Success && declaration.GetValueOrDefault("allowedValues") is List<object?> allowed)
            {
                Assert.Contains(match.Groups["default"].Value, allowed.Select(ArmValue.ToArmString), StringComparer.OrdinalIgnoreCase);
            }
        });
    }

    private string Value(string parameter) => (string)((Dictionary<string, object?>)_parameters[parameter]!)["value"]!;

    [GeneratedRegex(@"^\$\{(?<name>[A-Z][A-Z0-9_]*)(=(?<default>[^}]*))?\}$")]
    private static partial Regex AzdVariable();
}
