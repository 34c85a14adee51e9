using System.Net;
using System.Net.Http.Json;
using System.Text;
using Memic.TestDocuments;
using static Memic.Server.Tests.Wire;
using static Memic.TestDocuments.OfficeFixtures;

namespace Memic.Server.Tests;

/// <summary>Two environments with different documents of several formats, uploaded once and shared by the search and chat tests.</summary>
public sealed class DocumentCorpus : IAsyncLifetime
{
    public MemicServerFactory Server { get; } = new();

    public HttpClient Acme { get; private set; } = null!;

    public HttpClient Globex { get; private set; } = null!;

    public Guid AcmeEnvironment { get; private set; }

    public Dictionary<string, Guid> AcmeFiles { get; } = [];

    public Dictionary<string, Guid> GlobexFiles { get; } = [];

    public Guid GlobexFolder { get; private set; }

    public Guid AcmeManualsFolder { get; private set; }

    public async ValueTask InitializeAsync()
    {
        using var admin = Server.AdminClient();
        var (acmeId, acmeKey) = await admin.CreateEnvironmentAsync("acme");
        var (_, globexKey) = await admin.CreateEnvironmentAsync("globex");
        AcmeEnvironment = acmeId;
        Acme = Server.DataClient(acmeKey);
        Globex = Server.DataClient(globexKey);

        var manuals = await (await Acme.PostAsJsonAsync("/api/v1/folders", new { name = "Manuals" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        AcmeManualsFolder = manuals.GetProperty("id").GetGuid();
        var globexFolder = await (await Globex.PostAsJsonAsync("/api/v1/folders", new { name = "Manuals" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        GlobexFolder = globexFolder.GetProperty("id").GetGuid();

        await AddAsync(Acme, AcmeFiles, "facilities.pdf", "application/pdf", PdfFixtures.TextPdf(
        [
            new TestPage("Building access", ["Visitors sign in at the front desk and wear a badge at all times."]),
            new TestPage("Heating", ["The boiler must be serviced every twelve months by a certified technician, and the service date recorded in the maintenance log."]),
            new TestPage("Parking", ["Staff parking is on levels two and three of the garage."]),
        ]), new { folder_id = AcmeManualsFolder, reference_id = "fac-2026", metadata = new { category = "facilities", document_type = "manual", region = "emea" } });
        await AddAsync(Acme, AcmeFiles, "handbook.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Docx(
        [
            new DocxHeading("Employee handbook", 1),
            new DocxParagraph("Welcome to Acme. This handbook explains our policies."),
            new DocxPageBreak(),
            new DocxHeading("Vacation", 2),
            new DocxParagraph("Employees accrue 2.5 days of paid vacation per month worked, up to a maximum of 30 days per calendar year."),
        ]), new { reference_id = "hr-handbook", metadata = new { category = "hr", document_type = "policy", region = "emea" } });
        await AddAsync(Acme, AcmeFiles, "account.md", "text/markdown", Encoding.UTF8.GetBytes(
            "# Account help\n\n## Passwords\n\nTo reset your password, open Settings, choose Security and click Reset password; a link is emailed to you and expires after one hour.\n"),
            new { metadata = new { category = "support", region = "us" } });
        await AddAsync(Acme, AcmeFiles, "catalogue.txt", "text/plain", Encoding.UTF8.GetBytes(string.Join("\n\n",
            Enumerable.Range(1, 80).Select(i => $"Catalogue entry {i}: the garden widget model {i} ships in a blue box with a printed warranty card and a spare set of hinges."))));

        await AddAsync(Globex, GlobexFiles, "boilers.txt", "text/plain",
            "Globex boilers are serviced every six months by our own engineers.\n\nGarden widgets are not sold by Globex."u8.ToArray(), new { folder_id = GlobexFolder });
    }

    private async Task AddAsync(HttpClient client, Dictionary<string, Guid> files, string name, string mimeType, byte[] bytes, object? extra = null)
    {
        var (file, _) = await Uploads.UploadAndWaitAsync(Server, client, name, bytes, mimeType, extra);
        Assert.True(file.GetProperty("status").GetString() == "ready", $"{name}: {file.GetProperty("error_message")}");
        files[name] = file.GetProperty("id").GetGuid();
    }

    public async ValueTask DisposeAsync()
    {
        Acme?.Dispose();
        Globex?.Dispose();
        await Server.DisposeAsync();
    }
}
