using System.Globalization;
using Memic.Infra.Tests.Arm;

namespace Memic.Infra.Tests;

/// <summary>
/// The Functions host refuses request bodies over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT before the app runs, so the host's
/// limit must leave room for the largest upload the app accepts plus the multipart body around it.
/// </summary>
public sealed class RequestBodyLimitTests(InfraFixture infra)
{
    private const long MultipartOverhead = 1L << 20;

    private static Dictionary<string, object?> AppSettings(ArmDeployment deployment)
    {
        var app = Assert.Single(deployment.OfType("Microsoft.Web/sites"));
        return Assert.Single(deployment.OfType("Microsoft.Web/sites/config"), c => Equals(c.Name, $"{app.Name}/appsettings")).Properties;
    }

    private static long Setting(Dictionary<string, object?> settings, string name) =>
        long.Parse(ArmValue.ToArmString(settings[name]), CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(null)]
    [InlineData(500L * 1024 * 1024)]
    [InlineData(1L)]
    public void The_host_body_limit_is_at_least_the_upload_limit_plus_a_mebibyte(long? maxUploadBytes)
    {
        var deployment = maxUploadBytes is { } bytes
            ? infra.DeployMain(new Dictionary<string, object?> { ["maxUploadBytes"] = bytes })
            : infra.DeployMain();

        var settings = AppSettings(deployment);
        var uploadLimit = Setting(settings, "Memic__Uploads__MaxFileBytes");
        var hostLimit = Setting(settings, "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT");

        Assert.Equal(maxUploadBytes ?? 100L * 1024 * 1024, uploadLimit);
        Assert.True(hostLimit >= uploadLimit + MultipartOverhead, $"host limit {hostLimit} < upload limit {uploadLimit} + 1 MiB");
    }
}
