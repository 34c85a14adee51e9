namespace Memic.Embedded;

/// <summary>Where the embedded default keeps everything: catalog, key store, blobs and indexes.</summary>
public sealed class EmbeddedOptions
{
    public const string Section = "Memic";

    /// <summary>Set from <c>MEMIC_DATA_DIR</c>; defaults to a <c>.memic</c> folder in the current directory.</summary>
    public string DataDirectory { get; set; } = ".memic";

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);
}
