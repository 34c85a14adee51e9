using Memic.Core.Files;
using Memic.Core.Ingestion;

namespace Memic.Core.Tests.Ingestion;

/// <summary>Who may run a file: an uploaded file is free to start; a file further on belongs to its run until it stalls.</summary>
public sealed class IngestionClaimTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan StalledAfter = TimeSpan.FromMinutes(35);

    [Fact]
    public void An_uploaded_file_is_claimed_by_moving_it_to_conversion_started()
    {
        var claim = FileIngestionPipeline.ClaimFor(File(FileStatus.Uploaded, changedAgo: TimeSpan.Zero), Now, StalledAfter);

        Assert.Equal(new IngestionClaim(FileStatus.Uploaded, FileStatus.ConversionStarted, 0, Stalled: false), claim);
    }

    [Theory]
    [InlineData(FileStatus.ConversionStarted)]
    [InlineData(FileStatus.ParsingComplete)]
    [InlineData(FileStatus.EmbeddingStarted)]
    public void A_file_mid_pipeline_that_changed_recently_is_left_to_its_run(FileStatus status)
    {
        Assert.Null(FileIngestionPipeline.ClaimFor(File(status, changedAgo: StalledAfter), Now, StalledAfter));
    }

    [Theory]
    [InlineData(FileStatus.ConversionStarted, FileStatus.ConversionStarted, 0)]
    [InlineData(FileStatus.ConversionComplete, FileStatus.ParsingStarted, 1)]
    [InlineData(FileStatus.ChunkingStarted, FileStatus.ChunkingStarted, 2)]
    [InlineData(FileStatus.EmbeddingComplete, FileStatus.EmbeddingStarted, 3)]
    public void A_stalled_file_is_resumed_at_its_first_incomplete_step(FileStatus status, FileStatus claimedAs, int resumeAt)
    {
        var claim = FileIngestionPipeline.ClaimFor(File(status, changedAgo: StalledAfter + TimeSpan.FromSeconds(1)), Now, StalledAfter);

        Assert.Equal(new IngestionClaim(status, claimedAs, resumeAt, Stalled: true), claim);
    }

    [Theory]
    [InlineData(FileStatus.Uploading)]
    [InlineData(FileStatus.Ready)]
    [InlineData(FileStatus.ParsingFailed)]
    public void Files_still_uploading_or_finished_are_never_claimed_however_old(FileStatus status)
    {
        var file = File(status, changedAgo: TimeSpan.FromDays(30));

        Assert.Null(FileIngestionPipeline.ClaimFor(file, Now, StalledAfter));
        Assert.False(FileIngestionPipeline.IsStalled(file, Now, StalledAfter));
    }

    private static StoredFile File(FileStatus status, TimeSpan changedAgo) => new()
    {
        Id = Guid.NewGuid(),
        EnvironmentId = Guid.NewGuid(),
        FolderId = Guid.NewGuid(),
        Name = "notes.txt",
        OriginalFilename = "notes.txt",
        Size = 10,
        MimeType = "text/plain",
        Status = status,
        CreatedAt = Now - TimeSpan.FromDays(31),
        UpdatedAt = Now - changedAgo,
    };
}
