using Memic.Azure.Search.Internals;
using Memic.Core.Search;

namespace Memic.Azure.Tests.Search;

/// <summary>The OData filter builder: exact output, and values that can never change the filter's structure.</summary>
public sealed class ODataFilterTests
{
    private static readonly Guid FileA = Guid.Parse("0a1b2c3d-0000-4000-8000-000000000001");
    private static readonly Guid FileB = Guid.Parse("0a1b2c3d-0000-4000-8000-000000000002");
    private static readonly Guid Folder = Guid.Parse("ffffffff-1111-4222-8333-444444444444");

    public static TheoryData<string> HostileValues =>
    [
        "'", "''", "a' or 'a' eq 'a", "x') or (true", " or ", " eq ", "(", ")", "a,b", "a|b", "a,b|c d", "Zürich", "日本",
        "' or search.in(file_id, '*') or '", "text/plain\" OR 1=1 --", "'); DROP TABLE chunks;--", "🙂", "", " ", "\\'", "%3D=",
    ];

    [Fact]
    public void No_restriction_builds_no_filter()
    {
        Assert.Null(ODataFilter.Build(null));
        Assert.Null(ODataFilter.Build(IndexFilter.None));
        Assert.Null(ODataFilter.Build(new IndexFilter { Metadata = new Dictionary<string, string>(), Pages = new PageRange(null, null) }));
    }

    [Fact]
    public void Every_restriction_is_anded_and_every_list_ored()
    {
        var filter = new IndexFilter
        {
            FileIds = [FileA, FileB],
            FolderIds = [Folder],
            MimeTypes = ["application/pdf", "text/plain"],
            ReferenceIds = ["ref-1"],
            PageNumbers = [1, 4],
            Pages = new PageRange(2, 9),
            Categories = ["guide"],
            DocumentTypes = ["memo", "report"],
            Metadata = new Dictionary<string, string> { ["year"] = "2021", ["team"] = "blue" },
        };

        Assert.Equal(
            "search.in(file_id, '0a1b2c3d-0000-4000-8000-000000000001|0a1b2c3d-0000-4000-8000-000000000002', '|')"
            + " and search.in(folder_id, 'ffffffff-1111-4222-8333-444444444444', '|')"
            + " and (mime_type eq 'application/pdf' or mime_type eq 'text/plain')"
            + " and reference_id eq 'ref-1'"
            + " and category eq 'guide'"
            + " and (document_type eq 'memo' or document_type eq 'report')"
            + " and (page_number eq 1 or page_number eq 4)"
            + " and page_number ge 2 and page_number le 9"
            + " and metadata/any(m: m eq 'team=blue') and metadata/any(m: m eq 'year=2021')",
            ODataFilter.Build(filter));
    }

    [Fact]
    public void An_empty_list_matches_nothing_rather_than_everything()
    {
        Assert.Equal("false", ODataFilter.Build(new IndexFilter { FileIds = [] }));
        Assert.Equal("false", ODataFilter.Build(new IndexFilter { MimeTypes = [] }));
        Assert.Equal("false", ODataFilter.Build(new IndexFilter { PageNumbers = [] }));
        Assert.Equal("category eq 'a' and false", ODataFilter.Build(new IndexFilter { Categories = ["a"], DocumentTypes = [] }));
    }

    [Fact]
    public void Open_page_bounds_restrict_one_side()
    {
        Assert.Equal("page_number ge 3", ODataFilter.Build(new IndexFilter { Pages = new PageRange(3, null) }));
        Assert.Equal("page_number le 3", ODataFilter.Build(new IndexFilter { Pages = new PageRange(null, 3) }));
        Assert.Equal("page_number eq -1", ODataFilter.Build(new IndexFilter { PageNumbers = [-1] }));
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void A_hostile_value_stays_one_literal_and_leaves_the_filter_shape_unchanged(string hostile)
    {
        IndexFilter Of(string value) => new()
        {
            FileIds = [FileA],
            MimeTypes = [value, "text/plain"],
            ReferenceIds = [value],
            Categories = [value],
            DocumentTypes = [value],
            Metadata = new Dictionary<string, string> { [value] = value },
        };

        var benign = ODataLiterals.Read(ODataFilter.Build(Of("benign"))!);
        var built = ODataFilter.Build(Of(hostile))!;
        var read = ODataLiterals.Read(built);

        Assert.Equal(benign.Skeleton, read.Skeleton);
        Assert.Equal(
            [FileA.ToString("D"), "|", hostile, "text/plain", hostile, hostile, hostile, MetadataTerms.Encode(hostile, hostile)],
            read.Literals);
    }

    [Fact]
    public void Guids_are_formatted_here_in_lower_case_and_never_come_from_text()
    {
        var upper = Guid.Parse("ABCDEF01-2345-4678-89AB-CDEF01234567");

        Assert.Equal("file_id eq 'abcdef01-2345-4678-89ab-cdef01234567'", ODataFilter.OfFile(upper));
        Assert.Equal("search.in(folder_id, 'abcdef01-2345-4678-89ab-cdef01234567', '|')", ODataFilter.Build(new IndexFilter { FolderIds = [upper, upper] }));
    }

    [Fact]
    public void A_filter_never_names_the_environment()
    {
        var built = ODataFilter.Build(new IndexFilter { FileIds = [FileA], Metadata = new Dictionary<string, string> { ["environment_id"] = "x" } })!;

        Assert.DoesNotContain("environment", ODataLiterals.Read(built).Skeleton, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("a=b", "c", "a%3Db=c")]
    [InlineData("a", "b=c", "a=b=c")]
    [InlineData("100%", "=", "100%25==")]
    [InlineData("%3D", "", "%253D=")]
    [InlineData("Zürich", "日本", "Zürich=日本")]
    public void Metadata_pairs_encode_unambiguously_and_round_trip(string key, string value, string encoded)
    {
        Assert.Equal(encoded, MetadataTerms.Encode(key, value));
        Assert.Equal(new KeyValuePair<string, string>(key, value), MetadataTerms.Decode(encoded));
    }

    [Theory]
    [InlineData("the mitochondria is the powerhouse", "the mitochondria is powerhouse")]
    [InlineData("a OR b", "a or b")]
    [InlineData("alpha AND NOT bravo", "alpha and not bravo")]
    [InlineData("\"unterminated", "unterminated")]
    [InlineData("NEAR(alpha delta, 2)", "near alpha delta 2")]
    [InlineData("-x +y |z ~w \\v *u", "x y z w v u")]
    [InlineData("col:val", "col val")]
    [InlineData("Zürich 日本", "zürich 日本")]
    [InlineData("'); DROP TABLE chunks;--", "drop table chunks")]
    public void Query_text_keeps_only_words(string text, string expected) => Assert.Equal(expected, SearchText.Build(text));

    [Theory]
    [InlineData("")]
    [InlineData("   \t\n")]
    [InlineData("\"*()")]
    [InlineData("🙂🚀")]
    [InlineData(null)]
    public void Text_without_words_is_no_text_query(string? text) => Assert.Null(SearchText.Build(text));
}
