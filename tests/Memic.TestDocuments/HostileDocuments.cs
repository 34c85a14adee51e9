using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Memic.TestDocuments;

/// <summary>One generated hostile upload: what to send and how to label it.</summary>
/// <param name="Name">Short identifier of the case, e.g. "xlsx-shared-string-bomb", for test names and logs.</param>
/// <param name="FileName">File name to upload it under; its extension picks the extractor.</param>
/// <param name="MimeType">Content type to upload it with.</param>
/// <param name="Content">The file's bytes.</param>
/// <param name="Threat">What the file does to a naive parser.</param>
public sealed record HostileDocument(string Name, string FileName, string MimeType, byte[] Content, string Threat)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// Files built to exhaust a document parser's memory, stack or time, generated at test time so no binary
/// fixture is checked in. Each is small on the wire and pathological once parsed. Used in-process against
/// the extractors and end to end against a running server; every method is deterministic.
/// </summary>
public static class HostileDocuments
{
    private const string XlsxMime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const string DocxMime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    private static readonly (string Name, Func<HostileDocument> Create)[] Cases =
    [
        ("xlsx-shared-string-bomb", () => SharedStringBombXlsx()),
        ("pdf-nested-deflate", () => NestedDeflatePdf()),
        ("html-deep-nesting", () => DeepHtml()),
        ("docx-deep-xml", () => DeepDocx()),
        ("json-deep-nesting", () => DeepJson()),
        ("markdown-unclosed-emphasis", () => UnclosedEmphasisMarkdown()),
        ("markdown-space-padded-heading", () => SpacePaddedHeadingMarkdown()),
        ("markdown-unclosed-links", () => UnclosedLinksMarkdown()),
        ("text-one-word", () => OneWordText()),
        ("csv-header-amplification", () => HeaderAmplificationCsv()),
        ("csv-long-field", () => LongFieldCsv()),
        ("docx-many-entries", () => ManyEntriesDocx()),
        ("xlsx-many-entries", () => ManyEntriesXlsx()),
        ("png-huge-dimensions", () => HugeDimensionsPng()),
        ("jpeg-huge-dimensions", () => HugeDimensionsJpeg()),
    ];

    /// <summary>The <see cref="HostileDocument.Name"/> of every case, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = Cases.Select(entry => entry.Name).ToArray();

    /// <summary>Generates the case called <paramref name="name"/> at its default size (some take a few seconds).</summary>
    public static HostileDocument Create(string name) =>
        Cases.FirstOrDefault(entry => entry.Name == name).Create?.Invoke()
        ?? throw new ArgumentException($"There is no hostile document called '{name}'.", nameof(name));

    /// <summary>Generates every case at its default size; together about 30 MB.</summary>
    public static IEnumerable<HostileDocument> All() => Names.Select(Create);

    /// <summary>
    /// An XLSX (~7 MB) whose one shared string of <paramref name="characters"/> pseudo-random letters is referenced by
    /// <paramref name="cells"/> cells of one row: a parser that expands references drowns in
    /// characters × cells of text (160 billion by default). The letters are random so the package is not also a
    /// compression bomb, which a ZIP screen would refuse before the expansion is ever tried.
    /// </summary>
    public static HostileDocument SharedStringBombXlsx(int characters = 10_000_000, int cells = 16_384)
    {
        var random = new Random(9);
        var letters = new char[characters];
        for (var index = 0; index < letters.Length; index++)
        {
            letters[index] = (char)('a' + random.Next(26));
        }

        var row = new StringBuilder(cells * 32);
        for (var column = 0; column < cells; column++)
        {
            row.Append("<c r=\"").Append(ColumnName(column)).Append("1\" t=\"s\"><v>0</v></c>");
        }

        var package = Zip(
            ("[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
                <Default Extension="xml" ContentType="application/xml"/>
                <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
                <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
                <Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
                </Types>
                """),
            ("_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
                </Relationships>
                """),
            ("xl/workbook.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
                <sheets><sheet name="Bomb" sheetId="1" r:id="rId1"/></sheets>
                </workbook>
                """),
            ("xl/_rels/workbook.xml.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
                <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
                </Relationships>
                """),
            ("xl/sharedStrings.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                + "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"" + cells + "\" uniqueCount=\"1\"><si><t>"
                + new string(letters) + "</t></si></sst>"),
            ("xl/worksheets/sheet1.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\">"
                + row + "</row></sheetData></worksheet>"));

        return new HostileDocument("xlsx-shared-string-bomb", "shared-string-bomb.xlsx", XlsxMime, package,
            $"one {characters:N0}-character shared string referenced by {cells:N0} cells");
    }

    /// <summary>
    /// A PDF of one page (1–2 KB) whose content stream is deflated twice (<c>/Filter [/FlateDecode /FlateDecode]</c>)
    /// and decodes to <paramref name="decodedBytes"/> of NUL bytes (PDF whitespace): each inflation multiplies the
    /// size by about a thousand.
    /// </summary>
    public static HostileDocument NestedDeflatePdf(long decodedBytes = 1L << 30)
    {
        var once = Deflate(stream =>
        {
            var zeros = new byte[1 << 20];
            for (long written = 0; written < decodedBytes; written += zeros.Length)
            {
                stream.Write(zeros, 0, (int)Math.Min(zeros.Length, decodedBytes - written));
            }
        });
        var twice = Deflate(stream => stream.Write(once));

        var pdf = new MemoryStream();
        var offsets = new List<long>();
        void Object(string body)
        {
            offsets.Add(pdf.Position);
            Ascii(pdf, $"{offsets.Count} 0 obj\n{body}\nendobj\n");
        }

        Ascii(pdf, "%PDF-1.7\n");
        Object("<< /Type /Catalog /Pages 2 0 R >>");
        Object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>");
        offsets.Add(pdf.Position);
        Ascii(pdf, $"4 0 obj\n<< /Length {twice.Length} /Filter [/FlateDecode /FlateDecode] >>\nstream\n");
        pdf.Write(twice);
        Ascii(pdf, "\nendstream\nendobj\n");
        var xref = pdf.Position;
        Ascii(pdf, $"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Ascii(pdf, $"{offset:D10} 00000 n \n");
        }

        Ascii(pdf, $"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return new HostileDocument("pdf-nested-deflate", "nested-deflate.pdf", "application/pdf", pdf.ToArray(),
            $"a content stream deflated twice, {decodedBytes:N0} bytes once decoded");
    }

    /// <summary>HTML with <paramref name="depth"/> nested <c>div</c> elements around one word.</summary>
    public static HostileDocument DeepHtml(int depth = 100_000) =>
        new("html-deep-nesting", "deep.html", "text/html",
            Encoding.UTF8.GetBytes("<html><body>" + Repeat("<div>", depth) + "deep" + Repeat("</div>", depth) + "</body></html>"),
            $"{depth:N0} nested elements");

    /// <summary>A DOCX whose body nests <paramref name="depth"/> content controls (XML elements) around one paragraph.</summary>
    public static HostileDocument DeepDocx(int depth = 100_000)
    {
        var body = Repeat("<w:sdt><w:sdtContent>", depth) + "<w:p><w:r><w:t>deep</w:t></w:r></w:p>" + Repeat("</w:sdtContent></w:sdt>", depth);
        return new HostileDocument("docx-deep-xml", "deep.docx", DocxMime, MinimalDocx(body), $"{depth:N0} nested XML elements");
    }

    /// <summary>JSON of <paramref name="depth"/> nested arrays.</summary>
    public static HostileDocument DeepJson(int depth = 100_000) =>
        new("json-deep-nesting", "deep.json", "application/json",
            Encoding.UTF8.GetBytes(Repeat("[", depth) + "\"deep\"" + Repeat("]", depth)),
            $"{depth:N0} nested arrays");

    /// <summary>Markdown of <c>*a </c> repeated to about <paramref name="bytes"/>: unclosed emphasis that makes backtracking parsers explode.</summary>
    public static HostileDocument UnclosedEmphasisMarkdown(int bytes = 900_000) =>
        new("markdown-unclosed-emphasis", "emphasis.md", "text/markdown",
            Encoding.UTF8.GetBytes(Repeat("*a ", bytes / 3)),
            "unclosed emphasis openers on one line");

    /// <summary>A Markdown heading <c># a</c>, <paramref name="spaces"/> spaces, then <c>b</c>: quadratic for a regex heading matcher.</summary>
    public static HostileDocument SpacePaddedHeadingMarkdown(int spaces = 1_000_000) =>
        new("markdown-space-padded-heading", "heading.md", "text/markdown",
            Encoding.UTF8.GetBytes("# a" + new string(' ', spaces) + "b"),
            $"a heading with {spaces:N0} spaces inside");

    /// <summary>
    /// Markdown of about <paramref name="bytes"/> in paragraphs of <paramref name="paragraphBytes"/>, each a run of
    /// unclosed <c>[a](</c>: every opener makes a CommonMark parser scan to the paragraph's end, so the work grows
    /// with the square of the paragraph length.
    /// </summary>
    public static HostileDocument UnclosedLinksMarkdown(int bytes = 900_000, int paragraphBytes = 8_000)
    {
        var paragraph = Repeat("[a](", paragraphBytes / 4);
        return new HostileDocument("markdown-unclosed-links", "links.md", "text/markdown",
            Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Repeat(paragraph, Math.Max(1, bytes / paragraphBytes)))),
            $"paragraphs of {paragraphBytes:N0} bytes of unclosed links");
    }

    /// <summary>Plain text that is one word of <paramref name="characters"/> letters (20 MiB by default, just over the default character limit).</summary>
    public static HostileDocument OneWordText(int characters = 20 * 1024 * 1024)
    {
        var bytes = new byte[characters];
        bytes.AsSpan().Fill((byte)'a');
        return new HostileDocument("text-one-word", "one-word.txt", "text/plain", bytes, $"one word of {characters:N0} letters");
    }

    /// <summary>
    /// A CSV whose header has <paramref name="columns"/> names of <paramref name="nameLength"/> characters, followed by
    /// <paramref name="rows"/> rows of one-letter values: read as "name: value" lines, each small row expands to the
    /// whole header (800 million characters from 5.6 MB by default).
    /// </summary>
    public static HostileDocument HeaderAmplificationCsv(int columns = 4_000, int nameLength = 1_000, int rows = 200)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', Enumerable.Range(0, columns).Select(column => ColumnName(column).PadRight(nameLength, 'h'))).Append('\n');
        var row = string.Join(',', Enumerable.Repeat("x", columns));
        for (var index = 0; index < rows; index++)
        {
            csv.Append(row).Append('\n');
        }

        return new HostileDocument("csv-header-amplification", "header-amplification.csv", "text/csv", Encoding.UTF8.GetBytes(csv.ToString()),
            $"{columns:N0} header names of {nameLength:N0} characters repeated on each of {rows:N0} rows");
    }

    /// <summary>A CSV whose second record is one quoted field of <paramref name="characters"/> characters that never closes.</summary>
    public static HostileDocument LongFieldCsv(int characters = 20 * 1024 * 1024) =>
        new("csv-long-field", "long-field.csv", "text/csv",
            Encoding.UTF8.GetBytes("name,note\nlong,\"" + new string('n', characters)),
            $"one unterminated quoted field of {characters:N0} characters");

    /// <summary>A valid DOCX padded with <paramref name="entries"/> extra tiny ZIP entries.</summary>
    public static HostileDocument ManyEntriesDocx(int entries = 100_000) =>
        new("docx-many-entries", "many-entries.docx", DocxMime,
            MinimalDocx("<w:p><w:r><w:t>entries</w:t></w:r></w:p>", entries),
            $"{entries:N0} ZIP entries");

    /// <summary>An XLSX that is nothing but <paramref name="entries"/> tiny ZIP entries.</summary>
    public static HostileDocument ManyEntriesXlsx(int entries = 100_000) =>
        new("xlsx-many-entries", "many-entries.xlsx", XlsxMime,
            Zip(Enumerable.Range(0, entries).Select(index => ($"xl/media/part{index}.xml", "x")).ToArray()),
            $"{entries:N0} ZIP entries");

    /// <summary>
    /// A PNG of a few dozen bytes whose header declares <paramref name="width"/>×<paramref name="height"/> grayscale
    /// pixels (10 GB decoded at 100k×100k); the pixel data is a single deflated row.
    /// </summary>
    public static HostileDocument HugeDimensionsPng(int width = 100_000, int height = 100_000)
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 0; // grayscale
        PngChunk(png, "IHDR", header);
        PngChunk(png, "IDAT", Deflate(stream => stream.Write(new byte[1 + Math.Min(width, 1 << 16)])));
        PngChunk(png, "IEND", []);
        return new HostileDocument("png-huge-dimensions", "huge.png", "image/png", png.ToArray(), $"declares {width:N0}×{height:N0} pixels");
    }

    /// <summary>A baseline JPEG header declaring <paramref name="width"/>×<paramref name="height"/> pixels (65,535 is JPEG's maximum).</summary>
    public static HostileDocument HugeDimensionsJpeg(int width = 65_535, int height = 65_535)
    {
        var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]); // SOI
        jpeg.Write([0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
        jpeg.Write([0xFF, 0xC0, 0x00, 0x0B, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x01, 0x01, 0x11, 0x00]); // SOF0, one component
        jpeg.Write([0xFF, 0xD9]); // EOI
        return new HostileDocument("jpeg-huge-dimensions", "huge.jpg", "image/jpeg", jpeg.ToArray(), $"declares {width:N0}×{height:N0} pixels");
    }

    private static byte[] MinimalDocx(string bodyXml, int paddingEntries = 0)
    {
        var parts = new List<(string, string)>
        {
            ("[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
                <Default Extension="xml" ContentType="application/xml"/>
                <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
                </Types>
                """),
            ("_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
                </Relationships>
                """),
            ("word/document.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                + "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>"
                + bodyXml + "</w:body></w:document>"),
        };
        parts.AddRange(Enumerable.Range(0, paddingEntries).Select(index => ($"word/media/part{index}.xml", "x")));
        return Zip(parts.ToArray());
    }

    private static byte[] Zip(params (string Name, string Text)[] entries)
    {
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in entries)
            {
                using var entry = archive.CreateEntry(name, CompressionLevel.Fastest).Open();
                using var writer = new StreamWriter(entry, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                writer.Write(text);
            }
        }

        return stream.ToArray();
    }

    /// <summary>zlib-wrapped deflate, as PDF's FlateDecode and PNG's IDAT expect.</summary>
    private static byte[] Deflate(Action<Stream> write)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            write(zlib);
        }

        return output.ToArray();
    }

    private static void PngChunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, PngText.Crc32(typeAndData));
        png.Write(crc);
    }

    private static string ColumnName(int index)
    {
        var name = string.Empty;
        for (index++; index > 0; index = (index - 1) / 26)
        {
            name = (char)('A' + ((index - 1) % 26)) + name;
        }

        return name;
    }

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();

    private static void Ascii(Stream stream, string text) => stream.Write(Encoding.ASCII.GetBytes(text));
}
