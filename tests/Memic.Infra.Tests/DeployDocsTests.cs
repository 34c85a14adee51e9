using System.Text.RegularExpressions;
using Memic.Infra.Tests.Bicep;

namespace Memic.Infra.Tests;

/// <summary>
/// docs/deploy.md only uses what exists: the azd outputs and variables it reads and sets, the repository files it names,
/// the template parameters it passes, and the admin API it calls.
/// </summary>
public sealed partial class DeployDocsTests(InfraFixture infra)
{
    private static readonly string RepositoryRoot = Path.GetFullPath(Path.Combine(BicepCli.InfraDirectory, ".."));
    private static readonly string Docs = File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "deploy.md"));

    [Fact]
    public void Every_azd_value_the_docs_read_is_an_output_of_main_bicep()
    {
        var outputs = ((Dictionary<string, object?>)infra.Template("main.bicep")["outputs"]!).Keys;
        var read = GetValue().Matches(Docs).Select(m => m.Groups["name"].Value).Distinct().ToList();

        Assert.NotEmpty(read);
        Assert.All(read, name => Assert.Contains(name, outputs));
    }

    [Fact]
    public void Every_azd_variable_the_docs_set_is_read_by_the_parameters_file()
    {
        var parameters = File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "main.parameters.json"));
        var set = EnvSet().Matches(Docs).Select(m => m.Groups["name"].Value).Distinct().ToList();

        Assert.NotEmpty(set);
        Assert.All(set, name => Assert.Contains("${" + name, parameters, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_repository_path_the_docs_name_exists()
    {
        var paths = RepositoryPath().Matches(Docs).Select(m => m.Groups["path"].Value).Distinct().ToList();

        Assert.NotEmpty(paths);
        Assert.All(paths, path => Assert.True(
            File.Exists(Path.Combine(RepositoryRoot, path)) || Directory.Exists(Path.Combine(RepositoryRoot, path)), $"{path} does not exist"));
    }

    [Fact]
    public void Parameters_passed_to_the_search_service_template_are_ones_it_declares()
    {
        var declared = ((Dictionary<string, object?>)infra.Template("search-service.bicep")["parameters"]!).Keys;
        var command = Assert.Single(SearchServiceDeployment().Matches(Docs)).Groups["parameters"].Value;
        var passed = ParameterName().Matches(command).Select(m => m.Groups["name"].Value).ToList();

        Assert.NotEmpty(passed);
        Assert.All(passed, name => Assert.Contains(name, declared));
    }

    [Fact]
    public void The_signup_example_calls_the_admin_route_that_creates_environments()
    {
        // CONTRACT §10: POST /api/admin/v1/environments with a slug answers the environment and its first api_key.
        Assert.Contains("\"$MEMIC_URL/api/admin/v1/environments\"", Docs, StringComparison.Ordinal);
        Assert.Contains("PostAsJsonAsync(\"/api/admin/v1/environments\"", Docs, StringComparison.Ordinal);
        Assert.Contains("JsonPropertyName(\"api_key\")", Docs, StringComparison.Ordinal);
        Assert.Contains("X-Admin-Key", Docs, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"azd env get-value (?<name>[A-Z_]+)")]
    private static partial Regex GetValue();

    [GeneratedRegex(@"azd env set (?<name>[A-Z_]+)")]
    private static partial Regex EnvSet();

    [GeneratedRegex(@"(?<path>(?:infra|src|scripts|tests|docs)/[A-Za-z0-9_./-]*[A-Za-z0-9_])")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex(@"--template-file infra/search-service\.bicep\s*\\?\s*--parameters (?<parameters>[^\n]+)")]
    private static partial Regex SearchServiceDeployment();

    [GeneratedRegex(@"(?<name>[A-Za-z]+)=")]
    private static partial Regex ParameterName();
}
