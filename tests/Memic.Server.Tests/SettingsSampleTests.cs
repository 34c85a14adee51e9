using System.Reflection;
using System.Text.Json;
using Memic.Azure.KeyVault;
using Memic.Core.Keys;
using Memic.Azure.Search.Pool;

namespace Memic.Server.Tests;

/// <summary>local.settings.sample.json lists every setting the code reads, so an operator can see them all in one place.</summary>
public sealed class SettingsSampleTests
{
    /// <summary>
    /// Every options class of Memic's assemblies, found by its <c>Section</c> constant, so a new one cannot be forgotten
    /// here: the sample must list it as soon as it exists.
    /// </summary>
    public static TheoryData<Type, string> OptionsClasses => new(FindOptionsClasses());

    private static IEnumerable<(Type Options, string Section)> FindOptionsClasses()
    {
        var assemblies = new[]
        {
            typeof(Core.DependencyInjection), typeof(Http.DependencyInjection), typeof(Embedded.DependencyInjection),
            typeof(Azure.DependencyInjection), typeof(Ingestion.DependencyInjection),
        }.Select(t => t.Assembly);
        foreach (var type in assemblies.SelectMany(a => a.GetExportedTypes()).Where(t => t.IsClass).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } section)
            {
                yield return (type, (string)section.GetRawConstantValue()!);
            }
        }
    }

    [Fact]
    public void Options_classes_are_found()
    {
        var found = FindOptionsClasses().Select(found => found.Options).ToList();

        Assert.Contains(typeof(KeyVerificationOptions), found);
        Assert.Contains(typeof(SearchPoolOptions), found);
        Assert.Contains(typeof(KeyVaultOptions), found);
    }

    [Theory]
    [MemberData(nameof(OptionsClasses))]
    public void Every_bound_option_appears_in_the_sample(Type options, string section)
    {
        var sample = SampleSettingNames();
        var settable = options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite);

        Assert.All(settable, property => AssertListed(sample, $"{section.Replace(":", "__", StringComparison.Ordinal)}__{property.Name}", property.PropertyType));
    }

    /// <summary>A list of settings objects (e.g. <c>Memic:Search:Services</c>) is listed by its first element's every setting.</summary>
    private static void AssertListed(HashSet<string> sample, string name, Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) && type.GetGenericArguments()[0] is { IsClass: true } element && element != typeof(string))
        {
            var settable = element.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite);
            Assert.All(settable, property => Assert.Contains($"{name}__0__{property.Name}", sample));
            return;
        }

        Assert.Contains(name, sample);
    }

    [Fact]
    public void Sample_lists_the_short_variables_of_the_local_host()
    {
        var sample = SampleSettingNames();

        Assert.Contains("MEMIC_DATA_DIR", sample);
        Assert.Contains("MEMIC_ADMIN_KEY", sample);
        Assert.Contains("Memic__Blobs__Provider", sample);
        Assert.Contains("Memic__Catalog__Provider", sample);
        Assert.Contains("Memic__Keys__Provider", sample);
        Assert.Contains("Memic__Embeddings__Provider", sample);
        Assert.Contains("Memic__Search__Provider", sample);
        Assert.Contains(Ingestion.DependencyInjection.OcrEnabledSetting.Replace(":", "__", StringComparison.Ordinal), sample);
    }

    private static HashSet<string> SampleSettingNames()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(ServerProcess.RepositoryRoot, "local.settings.sample.json")));
        return [.. document.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)];
    }
}
