using System.Runtime.InteropServices;
using Memic.Ingestion.Extraction;

namespace Memic.Extractor;

/// <summary>
/// Misbehaviours the isolation tests need on demand: a parser that allocates without bound (managed or native) or
/// spins without looking at its deadline. Honoured only when the host started the worker with
/// <see cref="EnvironmentVariable"/> set, which only tests do; otherwise these mime types are unknown like any other.
/// </summary>
internal sealed class TestHooks(bool enabled)
{
    public const string EnvironmentVariable = "MEMIC_EXTRACTOR_TEST_HOOKS";
    public const string AllocateManaged = "application/x-memic-test-allocate";
    public const string AllocateNative = "application/x-memic-test-allocate-native";
    public const string Spin = "application/x-memic-test-spin";
    public const string Crash = "application/x-memic-test-crash";

    public static TestHooks FromEnvironment() => new(Environment.GetEnvironmentVariable(EnvironmentVariable) == "1");

    public bool Handles(string mimeType) => enabled && mimeType is AllocateManaged or AllocateNative or Spin or Crash;

    public static async Task<ExtractedDocument> RunAsync(string mimeType, Stream body)
    {
        await body.CopyToAsync(Stream.Null);
        switch (mimeType)
        {
            case AllocateManaged:
                var held = new List<byte[]>();
                while (true)
                {
                    var block = new byte[16 * 1024 * 1024];
                    Array.Fill(block, (byte)1);
                    held.Add(block);
                }

            case AllocateNative:
                while (true)
                {
                    const int size = 16 * 1024 * 1024;
                    var block = Marshal.AllocHGlobal(size);
                    for (var page = 0; page < size; page += 4096)
                    {
                        Marshal.WriteByte(block, page, 1);
                    }
                }

            case Spin:
                var spins = 0L;
                while (spins >= 0)
                {
                    spins = (spins + 1) % long.MaxValue;
                }

                break;
            default:
                Environment.FailFast("Test hook: crash.");
                break;
        }

        throw new InvalidOperationException("unreachable");
    }
}
