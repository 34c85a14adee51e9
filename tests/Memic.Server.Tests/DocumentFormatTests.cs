using System.Net;
using System.Net.Http.Json;
using Memic.Core.Ports;
using Memic.TestDocuments;
using Microsoft.Extensions.DependencyInjection;
using static Memic.Server.Tests.Wire;
using static Memic.TestDocuments.OfficeFixtures;

namespace Memic.Server.Tests;

/// <summary>
/// Every supported format, generated with its own library, uploaded through init → PUT → confirm and followed to
/// <c>ready</c>: the known sentence must land in a chunk carrying its page. Bad files end in a <c>*_failed</c> status.
/// </summary>
public sealed class DocumentFormatTests : IClassFixture<MemicServerFactory>
{
    private const string Needle = "The lighthouse keeper logs every passing ship at dawn.";
    private readonly MemicServerFactory _server;

    public DocumentFormatTests(MemicServerFactory server) => _server = server;

    public static TheoryData<string, string, int> Formats => new()
    {
        { "report.pdf", "application/pdf", 3 },
        { "memo.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 2 },
        { "deck.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", 3 },
        { "book.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 2 },
    };

    private static byte[] Generate(string filename) => Path.GetExtension(filename) switch
    {
        ".pdf" => PdfFixtures.TextPdf(
        [
            new TestPage("Introduction", ["This report covers the coastal survey."]),
            new TestPage("Methods", ["Observers stood at three points along the cliff."]),
            new TestPage("Findings", [Needle]),
        ]),
        ".docx" => Docx(
        [
            new DocxHeading("Memo", 1),
            new DocxParagraph("The first page introduces the survey."),
            new DocxPageBreak(),
            new DocxHeading("Details", 2),
            new DocxParagraph(Needle),
        ]),
        ".pptx" => Pptx(
        [
            new TestSlide("Welcome", ["Agenda for the coastal review"]),
            new TestSlide("Team", ["Three observers, one boat"]),
            new TestSlide("Findings", [Needle], Notes: "Speaker notes mention the fog."),
        ]),
        ".xlsx" => Xlsx(
        [
            new TestSheet("Summary", [[new SharedText("Total ships"), new Number(42)]]),
            new TestSheet("Log", [[new SharedText("Note")], [new SharedText(Needle)]]),
        ]),
        _ => throw new ArgumentOutOfRangeException(nameof(filename)),
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Document_reaches_ready_and_its_sentence_is_chunked_with_its_page(string filename, string mimeType, int page)
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("format-" + Path.GetExtension(filename).TrimStart('.'));
        using var client = _server.DataClient(key);

        var (file, seen) = await Uploads.UploadAndWaitAsync(_server, client, filename, Generate(filename), mimeType);

        Assert.True(file.GetProperty("status").GetString() == "ready", $"{filename}: {file.GetProperty("error_message")}");
        Uploads.AssertMonotonic(seen);
        var chunks = await _server.Services.GetRequiredService<ISearchIndex>().GetFileChunksAsync(environmentId, file.GetProperty("id").GetGuid(), Ct);
        var hit = Assert.Single(chunks, c => c.Content.Contains("lighthouse keeper logs every passing ship", StringComparison.Ordinal));
        Assert.Equal(page, hit.PageNumber);
        Assert.Equal(page, hit.StartPage);
    }

    [Fact]
    public async Task Image_is_read_by_ocr_when_tesseract_is_installed_and_refused_at_init_otherwise()
    {
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("format-png");
        using var client = _server.DataClient(key);
        var png = PngText.Render("THE BOILER ROOM KEY\nIS UNDER THE MAT");

        if (!TesseractIsInstalled())
        {
            var detail = await (await client.PostAsJsonAsync("/api/v1/files/init", new { filename = "scan.png", size = png.Length, mime_type = "image/png" }, Ct))
                .ExpectErrorAsync(HttpStatusCode.BadRequest, "invalid_file_type");
            Assert.Contains("OCR", detail.GetString(), StringComparison.OrdinalIgnoreCase);
            return;
        }

        var (file, _) = await Uploads.UploadAndWaitAsync(_server, client, "scan.png", png, "image/png");

        Assert.Equal("ready", file.GetProperty("status").GetString());
    }

    public static TheoryData<string, string, string, string> BadFiles => new()
    {
        { "truncated.pdf", "application/pdf", "parsing_failed", "truncated" },
        { "random.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "parsing_failed", "random" },
        { "bomb.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "parsing_failed", "bomb" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Bad_file_fails_with_a_reason_and_the_next_good_file_becomes_ready(string filename, string mimeType, string expectedStatus, string kind)
    {
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("bad-" + kind);
        using var client = _server.DataClient(key);
        var bytes = kind switch
        {
            "truncated" => Generate("report.pdf")[..600],
            "random" => RandomBytes(4096),
            _ => ZipFixtures.Bomb("xl/worksheets/sheet1.xml", 300L * 1024 * 1024),
        };

        var (failed, seen) = await Uploads.UploadAndWaitAsync(_server, client, filename, bytes, mimeType);
        var (good, _) = await Uploads.UploadAndWaitAsync(_server, client, "fine.pdf", Generate("report.pdf"), "application/pdf");

        var reason = failed.GetProperty("error_message").GetString();
        Assert.True(failed.GetProperty("status").GetString() == expectedStatus, $"{filename} ended {failed.GetProperty("status")}: {reason}");
        Uploads.AssertMonotonic(seen);
        Assert.False(string.IsNullOrWhiteSpace(reason));
        Assert.DoesNotContain("Exception", reason, StringComparison.Ordinal);
        Assert.Equal("ready", good.GetProperty("status").GetString());
    }

    internal static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    private static bool TesseractIsInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, "tesseract")));
}

/// <summary>A server with OCR switched off (<c>Memic:Ocr:Enabled=false</c>), as on a machine without tesseract.</summary>
public sealed class NoOcrTests : IDisposable
{
    private readonly MemicServerFactory _server = new() { Settings = new Dictionary<string, string> { ["Memic:Ocr:Enabled"] = "false" } };

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Image_is_refused_at_init_with_a_reason_naming_ocr()
    {
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("no-ocr-image");
        using var client = _server.DataClient(key);

        var detail = await (await client.PostAsJsonAsync("/api/v1/files/init", new { filename = "scan.jpg", size = 1000, mime_type = "image/jpeg" }, Ct))
            .ExpectErrorAsync(HttpStatusCode.BadRequest, "invalid_file_type");

        Assert.Contains("OCR is not configured", detail.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdf_without_a_text_layer_fails_parsing_and_the_next_file_is_ready()
    {
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("no-ocr-scan");
        using var client = _server.DataClient(key);

        var (failed, _) = await Uploads.UploadAndWaitAsync(_server, client, "scan.pdf", PdfFixtures.PdfWithoutText(2), "application/pdf");
        var (good, _) = await Uploads.UploadAndWaitAsync(_server, client, "ok.md", "# Fine\n\nReadable text."u8.ToArray(), "text/markdown");

        Assert.Equal("parsing_failed", failed.GetProperty("status").GetString());
        Assert.Contains("OCR", failed.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        Assert.Equal("ready", good.GetProperty("status").GetString());
    }
}
