using System.Text;

namespace Memic.Client.Tests;

/// <summary>Small documents whose passages a query can find.</summary>
internal static class Documents
{
    public const string LeavePolicy =
        "Parental leave policy. Every employee who becomes a parent may take twenty weeks of paid parental leave " +
        "within the first year after the birth or adoption of a child. Leave can be split into at most three blocks, " +
        "and the employee tells their manager at least four weeks before each block starts.";

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A distinct little text document per index, for tests that need many files.</summary>
    public static byte[] Numbered(int index) => Text($"Inventory note number {index}: shelf {index} holds {index * 7} boxes of paper clips.");
}
