using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Memic.Embedded.Search.Internals;

/// <summary>
/// The compact vector form the scan reads: each chunk vector, L2-normalised, as int8 codes with one float scale
/// (symmetric, per vector), and the query as int16 codes. The score of a row is an exact integer dot product times
/// both scales, which approximates the cosine within about 1e-3 for 384 dimensions; the caller re-scores the best
/// rows exactly from the stored float32 vectors. Rows are padded with zeros to <see cref="Lanes"/> so the kernel
/// has no tail.
/// </summary>
internal static class Int8Vectors
{
    public const int Lanes = 32;

    /// <summary>Query codes use 15 bits when the row is short enough; see <see cref="QuantizeQuery"/>.</summary>
    private const float QueryCodeMax = 16383f;

    private const float RowCodeMax = 127f;

    public static int StrideOf(int dimensions) => (dimensions + Lanes - 1) / Lanes * Lanes;

    /// <summary>Writes the codes of <paramref name="vector"/> into <paramref name="codes"/> (a whole stride) and returns its scale; 0 for a zero vector.</summary>
    public static float QuantizeRow(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        codes.Clear();
        var (factor, scale) = Factors(vector, RowCodeMax);
        for (var d = 0; d < vector.Length; d++)
        {
            codes[d] = (sbyte)Math.Clamp(MathF.Round(vector[d] * factor), -RowCodeMax, RowCodeMax);
        }

        return scale;
    }

    /// <summary>
    /// As <see cref="QuantizeRow"/>, for the query side. Every partial sum the kernel forms is bounded by
    /// Σ|query code|·|row code| ≤ codeMax · 127 · length, so codeMax is chosen to keep that below 2^31.
    /// </summary>
    public static float QuantizeQuery(ReadOnlySpan<float> vector, Span<short> codes)
    {
        codes.Clear();
        var codeMax = MathF.Min(QueryCodeMax, MathF.Floor(0.99f * int.MaxValue / (RowCodeMax * Math.Max(1, codes.Length))));
        var (factor, scale) = Factors(vector, codeMax);
        for (var d = 0; d < vector.Length; d++)
        {
            codes[d] = (short)Math.Clamp(MathF.Round(vector[d] * factor), -codeMax, codeMax);
        }

        return scale;
    }

    /// <summary>Σ codes[i]·query[i] over one padded row.</summary>
    public static int Dot(ReadOnlySpan<sbyte> codes, ReadOnlySpan<short> query)
    {
        if (codes.Length != query.Length || codes.Length % Lanes != 0)
        {
            throw new ArgumentException("Codes and query must have the same length, a multiple of the lane count.", nameof(codes));
        }

        return Avx2.IsSupported ? DotAvx2(codes, query) : DotPortable(codes, query);
    }

    /// <summary>Sign-extends 16 codes to int16 and multiplies-and-adds pairs into int32 lanes (vpmovsxbw + vpmaddwd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int DotAvx2(ReadOnlySpan<sbyte> codes, ReadOnlySpan<short> query)
    {
        ref var c = ref MemoryMarshal.GetReference(codes);
        ref var q = ref MemoryMarshal.GetReference(query);
        var sum0 = Vector256<int>.Zero;
        var sum1 = Vector256<int>.Zero;
        for (nuint i = 0; i < (nuint)codes.Length; i += Lanes)
        {
            var low = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref c, i));
            var high = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref c, i + 16));
            sum0 = Avx2.Add(sum0, Avx2.MultiplyAddAdjacent(low, Vector256.LoadUnsafe(ref q, i)));
            sum1 = Avx2.Add(sum1, Avx2.MultiplyAddAdjacent(high, Vector256.LoadUnsafe(ref q, i + 16)));
        }

        return Vector256.Sum(sum0 + sum1);
    }

    /// <summary>The same sum with cross-platform 128-bit vectors (Arm64, or x64 without AVX2).</summary>
    internal static int DotPortable(ReadOnlySpan<sbyte> codes, ReadOnlySpan<short> query)
    {
        ref var c = ref MemoryMarshal.GetReference(codes);
        ref var q = ref MemoryMarshal.GetReference(query);
        var sum = Vector128<int>.Zero;
        for (nuint i = 0; i < (nuint)codes.Length; i += 16)
        {
            var (low, high) = Vector128.Widen(Vector128.LoadUnsafe(ref c, i));
            sum += MultiplyWidened(low, Vector128.LoadUnsafe(ref q, i)) + MultiplyWidened(high, Vector128.LoadUnsafe(ref q, i + 8));
        }

        return Vector128.Sum(sum);
    }

    private static Vector128<int> MultiplyWidened(Vector128<short> a, Vector128<short> b)
    {
        var (a0, a1) = Vector128.Widen(a);
        var (b0, b1) = Vector128.Widen(b);
        return (a0 * b0) + (a1 * b1);
    }

    /// <summary>The factor mapping raw components to codes, and the scale mapping codes back to normalised components.</summary>
    private static (float Factor, float Scale) Factors(ReadOnlySpan<float> vector, float codeMax)
    {
        if (vector.IsEmpty)
        {
            return (0, 0);
        }

        var norm = TensorPrimitives.Norm(vector);
        var largest = MathF.Abs(TensorPrimitives.MaxMagnitude(vector));
        if (!(norm > 0) || !float.IsFinite(norm) || !(largest > 0))
        {
            return (0, 0);
        }

        return (codeMax / largest, largest / norm / codeMax);
    }
}
