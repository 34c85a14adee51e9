using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Memic.Azure.Internals;

/// <summary>
/// Partition and row keys of the two catalog tables. Row keys are <c>kind|...</c> so one partition can hold several
/// kinds and a kind is read with the range <c>[kind|, kind})</c>: '|' sorts after every letter and digit, so no kind's
/// range reaches into another's ("prompt|" never covers "promptname|").
/// </summary>
internal static partial class TableKeys
{
    // Partitions of the tenancy table: fixed, one per kind of thing that belongs to no single environment.
    public const string OrganizationPartition = "organization";
    public const string ProjectPartition = "project";
    public const string EnvironmentPartition = "environment";
    public const string SettingPartition = "setting";
    public const string KeyPartition = "key";
    public const string ConnectorPartition = "connector";
    public const string UserPartition = "user";
    public const string SessionPartition = "session";
    public const string LoginFailurePartition = "loginfailure";

    /// <summary>The marker of the default organization or project, in the same partition so it is written with it in one transaction.</summary>
    public const string DefaultMarker = "default";

    /// <summary>The generated admin key's record; a fixed row key makes "only one" a property of the table.</summary>
    public const string GeneratedAdminKey = "admin";

    public const string Organizations = "org";
    public const string Projects = "project";
    public const string Environments = "env";
    public const string Keys = "key";
    public const string Files = "file";
    public const string Folders = "folder";
    public const string Usage = "usage";
    public const string UsageHours = "usagehour";
    public const string Prompts = "prompt";
    public const string Connectors = "connector";
    public const string Users = "user";

    public static string User(Guid id) => Row(Users, id);

    /// <summary>Which user holds an email; beside the users, written with its user in one transaction.</summary>
    public static string UserEmail(string email) => $"email|{Segment(email)}";

    public static string Session(byte[] tokenHash) => $"session|{Convert.ToHexStringLower(tokenHash)}";

    /// <summary>One email's failed sign-ins sort by time under this prefix.</summary>
    public static string LoginFailuresOf(string email) => $"{Segment(email)}|";

    public static string LoginFailure(string email, DateTimeOffset at) =>
        $"{LoginFailuresOf(email)}{at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}|{Guid.NewGuid():N}";

    /// <summary>An environment's quotas: one fixed row in its partition, so it goes when the partition does.</summary>
    public const string Quotas = "quotas|";

    public static string Organization(Guid id) => Row(Organizations, id);

    public static string Project(Guid id) => Row(Projects, id);

    public static string Environment(Guid id) => Row(Environments, id);

    /// <summary>Which environment holds a slug in a project; lives beside the environments so both are written in one transaction.</summary>
    public static string Slug(Guid projectId, string slug) => $"slug|{projectId:D}|{Segment(slug)}";

    public static string Setting(string name) => $"setting|{Segment(name)}";

    /// <summary>In the tenancy table: where a key's record lives. In an environment's partition: the record itself.</summary>
    public static string Key(Guid id) => Row(Keys, id);

    /// <summary>An environment's partition in the environment-data table.</summary>
    public static string EnvironmentData(Guid environmentId) => environmentId.ToString("D");

    public static string Folder(Guid id) => Row(Folders, id);

    /// <summary>Which folder holds a name in an environment; beside the folder, written with it in one transaction.</summary>
    public static string FolderName(string name) => $"foldername|{Segment(name)}";

    public static string File(Guid id) => Row(Files, id);

    /// <summary>In the tenancy table: which environment a connector belongs to. In an environment's partition: the connector.</summary>
    public static string Connector(Guid id) => Row(Connectors, id);

    /// <summary>A whole day's usage, as rows were written before usage was kept per hour and instance; read, never written.</summary>
    public static string UsageDay(DateOnly day) => $"{Usage}|{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    public static DateTimeOffset DayOfUsageRow(string rowKey) =>
        new(DateOnly.ParseExact(rowKey.AsSpan(Usage.Length + 1), "yyyy-MM-dd", CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>One instance's running totals for an hour; the hour first, so a time range is a row-key range.</summary>
    public static string UsageHour(DateTimeOffset hour, Guid instanceId) => $"{UsageHourPrefix(hour)}|{instanceId:D}";

    public static string UsageHourPrefix(DateTimeOffset hour) =>
        $"{UsageHours}|{hour.ToUniversalTime().ToString(UsageHourFormat, CultureInfo.InvariantCulture)}";

    public static DateTimeOffset HourOfUsageRow(string rowKey) => DateTimeOffset.ParseExact(
        rowKey.AsSpan(UsageHours.Length + 1, UsageHourLength), UsageHourFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private const string UsageHourFormat = "yyyy-MM-dd'T'HH";
    private const int UsageHourLength = 13;

    /// <summary>A prompt name's head: its latest and live version numbers, the ETag every change of the name goes through.</summary>
    public static string PromptName(string name) => $"promptname|{Segment(name)}";

    /// <summary>The versions of one name, zero-padded so the row keys sort by number.</summary>
    public static string PromptVersion(string name, int versionNumber) =>
        $"{PromptVersionsOf(name)}{versionNumber.ToString("D10", CultureInfo.InvariantCulture)}";

    public static string PromptVersionsOf(string name) => $"{Prompts}|{Segment(name)}|";

    /// <summary>The first row key of <paramref name="kind"/> and the first one past it.</summary>
    public static (string From, string Below) Range(string kind) => ($"{kind}|", $"{kind}}}");

    /// <summary>The row keys that start with <paramref name="prefix"/>: from it up to the prefix with its last character incremented.</summary>
    public static (string From, string Below) PrefixRange(string prefix) =>
        (prefix, string.Concat(prefix.AsSpan(0, prefix.Length - 1), ((char)(prefix[^1] + 1)).ToString()));

    public static Guid IdOf(string rowKey) => Guid.ParseExact(rowKey.AsSpan(rowKey.IndexOf('|', StringComparison.Ordinal) + 1), "D");

    private static string Row(string kind, Guid id) => $"{kind}|{id:D}";

    /// <summary>
    /// A user-supplied value as one row-key segment. Plain short values stay readable; anything else (characters keys
    /// forbid, '|', or a length that could overflow the 1 KiB key) becomes '~' plus its SHA-256, which no plain value
    /// can equal because '~' is not a plain character. Equal values always give equal segments, so uniqueness holds.
    /// </summary>
    public static string Segment(string value) =>
        PlainSegment().IsMatch(value) ? value : "~" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,100}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PlainSegment();
}
