using Memic.Core.Tenancy;
using Microsoft.Extensions.Configuration;

namespace Memic.Server.Tests;

/// <summary>CONTRACT §15: the first start prints the owner's one-time password beside the admin key.</summary>
public sealed class StartupBannerTests
{
    private static readonly IConfiguration NoSettings = new ConfigurationBuilder().Build();

    [Fact]
    public void A_generated_owner_password_is_printed_with_the_owner_email_beside_the_admin_key()
    {
        using var output = new StringWriter();

        Memic.Server.StartupBanner.Print(output, "http://127.0.0.1:8000", NoSettings, new FirstRunResult("mk_admin_generated", null, "generated-owner-password"));

        var lines = output.ToString().Split('\n');
        var adminLine = Array.FindIndex(lines, l => l.Contains("mk_admin_generated", StringComparison.Ordinal));
        var ownerLine = Array.FindIndex(lines, l => l.Contains("generated-owner-password", StringComparison.Ordinal));
        Assert.True(adminLine >= 0 && ownerLine == adminLine + 1, output.ToString());
        Assert.Contains("owner@localhost", lines[ownerLine], StringComparison.Ordinal);
        Assert.Contains("MEMIC_OWNER_PASSWORD", lines[ownerLine], StringComparison.Ordinal);
    }

    [Fact]
    public void No_password_is_printed_when_none_was_generated()
    {
        using var output = new StringWriter();

        Memic.Server.StartupBanner.Print(output, "http://127.0.0.1:8000", NoSettings, new FirstRunResult(null, null));

        Assert.DoesNotContain("owner@localhost", output.ToString(), StringComparison.Ordinal);
    }
}
