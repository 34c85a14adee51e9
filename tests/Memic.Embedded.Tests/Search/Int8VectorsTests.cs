using System.Runtime.Intrinsics.X86;
using Memic.Embedded.Search.Internals;
using static Memic.Embedded.Tests.Search.TestChunks;

namespace Memic.Embedded.Tests.Search;

public sealed class Int8VectorsTests
{
    [Theory]
    [InlineData(32)]
    [InlineData(384)]
    [InlineData(1536)]
    public void Both_kernels_equal_the_exact_integer_sum(int length)
    {
        var random = new Random(length);
        var codes = Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
        var query = Enumerable.Range(0, length).Select(_ => (short)random.Next(-16383, 16384)).ToArray();
        var expected = codes.Zip(query, (c, q) => (long)c * q).Sum();

        Assert.Equal(expected, Int8Vectors.DotPortable(codes, query));
        Assert.Equal(expected, Int8Vectors.Dot(codes, query));
        if (Avx2.IsSupported)
        {
            Assert.Equal(expected, Int8Vectors.DotAvx2(codes, query));
        }
    }

    [Fact]
    public void Quantised_scores_stay_within_a_thousandth_or_so_of_the_cosine()
    {
        var random = new Random(5);
        const int dimensions = 384;
        var worst = 0.0;
        for (var i = 0; i < 200; i++)
        {
            var row = Random(random, dimensions);
            var query = Random(random, dimensions);
            worst = Math.Max(worst, Math.Abs(Approximate(row, query) - Cosine(row, query)));
        }

        Assert.InRange(worst, 0, 0.005);
    }

    [Theory]
    [InlineData(384)]
    [InlineData(3072)]
    [InlineData(16_384)]
    public void Flat_vectors_at_any_allowed_dimension_do_not_overflow(int dimensions)
    {
        // Equal components make every product as large as it can be; the sum is then the largest the kernel forms.
        var vector = Enumerable.Repeat(1f, dimensions).ToArray();
        var opposite = Enumerable.Repeat(-1f, dimensions).ToArray();

        Assert.Equal(1.0, Approximate(vector, vector), 3);
        Assert.Equal(-1.0, Approximate(vector, opposite), 3);
    }

    [Fact]
    public void Scores_are_cosines_whatever_the_vector_lengths()
    {
        var row = new float[] { 3, 4, 0, 0, 0, 0, 0, 0 };
        var query = new float[] { 0, 10, 0, 0, 0, 0, 0, 0 };

        Assert.Equal(0.8, Approximate(row, query), 2);
        Assert.Equal(0, Int8Vectors.QuantizeRow(new float[8], new sbyte[32]));
    }

    private static double Approximate(float[] row, float[] query)
    {
        var stride = Int8Vectors.StrideOf(row.Length);
        var codes = new sbyte[stride];
        var queryCodes = new short[stride];
        var rowScale = Int8Vectors.QuantizeRow(row, codes);
        var queryScale = Int8Vectors.QuantizeQuery(query, queryCodes);
        return Int8Vectors.Dot(codes, queryCodes) * (double)rowScale * queryScale;
    }
}
