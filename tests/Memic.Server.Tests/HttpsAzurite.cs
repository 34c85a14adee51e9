using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Memic.Server.Tests;

/// <summary>
/// An Azurite of its own, over HTTPS with <c>--oauth basic</c>, so clients must bring a bearer token as they do against
/// Azure. Its certificate is self-signed and made here; <see cref="CertificateFile"/> is what a child process trusts
/// through <c>SSL_CERT_FILE</c>. Ports are free ones, never the shared 10000–10002. Disposing stops it and deletes
/// its data and certificate.
/// </summary>
internal sealed class HttpsAzurite : IAsyncDisposable
{
    private const string Account = "devstoreaccount1";

    private readonly Process _process;
    private readonly string _directory;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HttpsAzurite(Process process, string directory, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _directory = directory;
        BlobServiceUri = new Uri($"https://127.0.0.1:{blobPort}/{Account}");
        QueueServiceUri = new Uri($"https://127.0.0.1:{queuePort}/{Account}");
        TableServiceUri = new Uri($"https://127.0.0.1:{tablePort}/{Account}");
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.ErrorDataReceived += (_, e) => Record(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri BlobServiceUri { get; }

    public Uri QueueServiceUri { get; }

    public Uri TableServiceUri { get; }

    public string CertificateFile => Path.Combine(_directory, "cert.pem");

    /// <summary>node_modules/.bin/azurite at the repository root, which <c>npm ci</c> (and scripts/test.sh) installs.</summary>
    public static string Executable => Path.Combine(ServerProcess.RepositoryRoot, "node_modules", ".bin", "azurite");

    public static async Task<HttpsAzurite> StartAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("MEMIC_SKIP_AZURITE") == "1")
        {
            Assert.Skip("MEMIC_SKIP_AZURITE=1: the tests that need Azurite were skipped.");
        }

        Assert.True(File.Exists(Executable), $"{Executable} is missing: run `npm ci` at the repository root.");
        var directory = Directory.CreateTempSubdirectory("memic-azurite-https-").FullName;
        WriteCertificate(directory);
        int[] ports = [FreePort(), FreePort(), FreePort()];
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        string[] arguments =
        [
            "--blobHost", "127.0.0.1", "--blobPort", $"{ports[0]}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{ports[1]}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{ports[2]}",
            "--oauth", "basic", "--cert", Path.Combine(directory, "cert.pem"), "--key", Path.Combine(directory, "key.pem"),
            "--location", Path.Combine(directory, "data"), "--skipApiVersionCheck", "--disableTelemetry", "--silent",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var azurite = new HttpsAzurite(Process.Start(start) ?? throw new InvalidOperationException("azurite did not start"), directory, ports[0], ports[1], ports[2]);
        try
        {
            await azurite.WaitUntilListeningAsync(cancellationToken);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            // The stream ended: Azurite exited, so it will never listen.
            _listening.TrySetException(new InvalidOperationException($"Azurite exited: {string.Join('\n', Output)}"));
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            if (_output.Count(l => l.Contains("successfully listening", StringComparison.Ordinal)) == 3)
            {
                _listening.TrySetResult();
            }
        }
    }

    /// <summary>Azurite prints one "successfully listening" line per service once its port accepts connections.</summary>
    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _listening.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Azurite did not start within a minute: {string.Join('\n', Output)}");
        }
    }

    private string[] Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, as PEM files Azurite reads and OpenSSL trusts.</summary>
    private static void WriteCertificate(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
    }

    private static int FreePort() => AppServiceIdentityEndpoint.FreePort();
}
