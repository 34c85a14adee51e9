using System.Text.RegularExpressions;
using Memic.Core.Keys;
using Memic.Core.Tenancy;

namespace Memic.Core.Tests;

public sealed class ApiKeyFormatTests
{
    [Fact]
    public void Environment_key_is_mk_live_and_43_base64url_characters()
    {
        var key = ApiKeyFormat.NewEnvironmentKey();

        Assert.Matches(new Regex("^mk_live_[A-Za-z0-9_-]{43}$"), key);
    }

    [Fact]
    public void New_keys_are_distinct()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => ApiKeyFormat.NewEnvironmentKey()).ToHashSet();

        Assert.Equal(1000, keys.Count);
    }

    [Fact]
    public void Display_prefix_reveals_only_the_first_characters()
    {
        var key = ApiKeyFormat.NewEnvironmentKey();

        Assert.Equal(key[..12], ApiKeyFormat.DisplayPrefix(key));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("production", true)]
    [InlineData("eu-west-2", true)]
    [InlineData("", false)]
    [InlineData("Production", false)]
    [InlineData("under_score", false)]
    [InlineData("spa ce", false)]
    [InlineData("ümlaut", false)]
    public void Slug_rules(string slug, bool valid) => Assert.Equal(valid, EnvironmentSlug.IsValid(slug));

    [Fact]
    public void Slug_of_63_characters_is_valid_and_64_is_not()
    {
        Assert.True(EnvironmentSlug.IsValid(new string('a', 63)));
        Assert.Equal("string_too_long", EnvironmentSlug.Check(new string('a', 64))!.Type);
    }
}
