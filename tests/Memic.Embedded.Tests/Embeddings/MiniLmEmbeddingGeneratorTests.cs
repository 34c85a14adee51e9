using System.Numerics.Tensors;
using Memic.Core.Ports;
using Memic.Embedded.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Embedded.Tests.Embeddings;

public sealed class MiniLmEmbeddingGeneratorTests(MiniLmFixture fixture) : IClassFixture<MiniLmFixture>
{
    // Each of these words is a single word-piece, so n words are exactly n tokens.
    private static readonly string[] SingleTokenWords =
        "the quick brown fox jumps over a lazy dog while small birds sing in an old oak tree near river".Split(' ');

    private static readonly string[] OtherSingleTokenWords =
        "revenue grew strongly in every region during last quarter and profits rose".Split(' ');

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MiniLmEmbeddingGenerator Generator => fixture.Generator;

    [Fact]
    public async Task Vectors_have_384_dimensions_and_unit_length()
    {
        var embeddings = await Generator.GenerateAsync(["How do I reset my password?", "A much longer sentence about quarterly revenue and costs."], cancellationToken: Ct);

        Assert.Equal(2, embeddings.Count);
        Assert.All(embeddings, embedding =>
        {
            Assert.Equal(384, embedding.Vector.Length);
            Assert.Equal(1f, TensorPrimitives.Norm(embedding.Vector.Span), 1e-5f);
            Assert.Equal("all-MiniLM-L6-v2", embedding.ModelId);
        });
    }

    [Fact]
    public async Task Identical_inputs_give_identical_vectors()
    {
        var first = await EmbedAsync("Steps to recover a forgotten password");
        var second = await EmbedAsync("Steps to recover a forgotten password");
        var other = await EmbedAsync("Steps to recover a forgotten username");

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task A_paraphrase_scores_higher_than_an_unrelated_sentence()
    {
        var query = await EmbedAsync("How do I reset my password?");
        var paraphrase = await EmbedAsync("Steps to recover a forgotten password");
        var unrelated = await EmbedAsync("The quarterly revenue grew by 4%");

        var paraphraseScore = TensorPrimitives.CosineSimilarity(query, paraphrase);
        var unrelatedScore = TensorPrimitives.CosineSimilarity(query, unrelated);

        Assert.True(paraphraseScore > unrelatedScore + 0.3f, $"paraphrase {paraphraseScore}, unrelated {unrelatedScore}");
    }

    [Fact]
    public async Task Short_inputs_embed_exactly_as_the_package_SentenceEncoder()
    {
        string[] texts =
        [
            "How do I reset my password?",
            "Steps to recover a forgotten password",
            "The quarterly revenue grew by 4%.",
            "Hello, World! It's 2024 and UPPER case is lowercased.",
            "",
            string.Join(' ', Enumerable.Range(0, 60).Select(i => SingleTokenWords[i % SingleTokenWords.Length])),
        ];

        var expected = fixture.Reference.Encode(texts, Ct);
        var actual = await Generator.GenerateAsync(texts, cancellationToken: Ct);

        for (var i = 0; i < texts.Length; i++)
        {
            AssertClose(expected[i], actual[i].Vector.ToArray(), 1e-4f, texts[i]);
        }
    }

    [Fact]
    public async Task The_empty_string_embeds_as_a_fixed_unit_vector()
    {
        var first = await EmbedAsync("");
        var second = await EmbedAsync("");

        Assert.Equal(384, first.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(first), 1e-5f);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Inputs_longer_than_the_window_embed_only_their_first_254_word_pieces()
    {
        var window = Words(SingleTokenWords, MiniLmEmbeddingGenerator.MaxInputTokens);
        var longText = window + " " + Words(OtherSingleTokenWords, 2000);
        Assert.Equal(254, Generator.CountTokens(window));
        Assert.True(Generator.CountTokens(longText) > 2000);

        var truncated = await EmbedAsync(longText);
        var windowOnly = await EmbedAsync(window);
        var windowLessOne = await EmbedAsync(Words(SingleTokenWords, MiniLmEmbeddingGenerator.MaxInputTokens - 1));

        AssertClose(windowOnly, truncated, 1e-6f, "the tail beyond 254 word-pieces must be ignored");
        // The 254th word-piece still counts: a narrower window would make these equal.
        Assert.True(TensorPrimitives.CosineSimilarity(windowOnly, windowLessOne) < 0.99999f);
    }

    [Fact]
    public async Task The_window_may_end_inside_a_word_as_in_sentence_transformers()
    {
        // "embeddings" is em ##bed ##ding ##s; with 253 words before it only "em" fits.
        var before = Words(SingleTokenWords, MiniLmEmbeddingGenerator.MaxInputTokens - 1);

        var cut = await EmbedAsync(before + " embeddings " + Words(OtherSingleTokenWords, 50));
        var expected = await EmbedAsync(before + " em");

        AssertClose(expected, cut, 1e-6f, "cut after the first piece of the last word");
    }

    [Fact]
    public async Task Batch_results_equal_one_by_one_results_in_input_order()
    {
        // Descending lengths (so sorting reorders them), more than one batch, and one input long enough to force the
        // padded-token limit to split a batch early.
        var texts = Enumerable.Range(0, 45)
            .Select(i => $"item {i} " + Words(i % 2 == 0 ? SingleTokenWords : OtherSingleTokenWords, 90 - (2 * i)))
            .Append("short one")
            .Append(Words(SingleTokenWords, 300))
            .ToList();

        var batch = await Generator.GenerateAsync(texts, cancellationToken: Ct);

        Assert.Equal(texts.Count, batch.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            AssertClose(await EmbedAsync(texts[i]), batch[i].Vector.ToArray(), 1e-5f, texts[i]);
        }
    }

    [Fact]
    public async Task Concurrent_calls_give_the_same_results_as_sequential_calls()
    {
        var sets = Enumerable.Range(0, 4)
            .Select(set => Enumerable.Range(0, 10).Select(i => $"set {set} text {i} " + Words(SingleTokenWords, 5 + (set * 20) + i)).ToArray())
            .ToArray();
        var expected = new List<float[][]>();
        foreach (var set in sets)
        {
            expected.Add((await Generator.GenerateAsync(set, cancellationToken: Ct)).Select(e => e.Vector.ToArray()).ToArray());
        }

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(call =>
            Task.Run(() => Generator.GenerateAsync(sets[call % sets.Length], cancellationToken: Ct), Ct)));

        for (var call = 0; call < concurrent.Length; call++)
        {
            for (var i = 0; i < sets[call % sets.Length].Length; i++)
            {
                AssertClose(expected[call % sets.Length][i], concurrent[call][i].Vector.ToArray(), 1e-5f, $"call {call}, item {i}");
            }
        }
    }

    [Fact]
    public void CountTokens_counts_the_model_word_pieces_without_special_tokens()
    {
        Assert.Equal(0, Generator.CountTokens(""));
        Assert.Equal(2, Generator.CountTokens("Hello world"));
        Assert.Equal(4, Generator.CountTokens("embeddings"));
        Assert.Equal(5, Generator.CountTokens("Unbelievably"));
        Assert.Equal(8, Generator.CountTokens("The quarterly revenue grew by 4%."));
    }

    [Fact]
    public void CountTokens_counts_the_whole_text_beyond_the_window()
    {
        Assert.Equal(1000, Generator.CountTokens(Words(SingleTokenWords, 1000)));
    }

    [Fact]
    public void Info_reports_the_model_its_dimensions_and_its_window()
    {
        Assert.Equal(new EmbeddingModelInfo("all-MiniLM-L6-v2", 384, 254), Generator.Info);
    }

    [Fact]
    public void GetService_returns_metadata_and_the_generator_itself()
    {
        var metadata = Generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("memic-embedded", metadata.ProviderName);
        Assert.Equal("all-MiniLM-L6-v2", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Same(Generator, Generator.GetService<MiniLmEmbeddingGenerator>());
        Assert.Same(Generator, Generator.GetService<IEmbeddingModel>());
        Assert.Null(Generator.GetService<IChatClient>());
        Assert.Null(Generator.GetService(typeof(IEmbeddingModel), "some key"));
    }

    [Fact]
    public async Task Options_asking_for_another_size_or_model_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Generator.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 256 }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Generator.GenerateAsync(["text"], new EmbeddingGenerationOptions { ModelId = "text-embedding-3-small" }, Ct));
    }

    [Fact]
    public async Task A_cancelled_call_embeds_nothing()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Generator.GenerateAsync(["text"], cancellationToken: cancellation.Token));
    }

    [Fact]
    public void AddMiniLmEmbeddings_registers_one_singleton_as_generator_and_model()
    {
        var services = new ServiceCollection().AddMiniLmEmbeddings();
        var provider = new OnlyGeneratorProvider(Generator);

        var generator = services.Single(d => d.ServiceType == typeof(IEmbeddingGenerator<string, Embedding<float>>));
        var model = services.Single(d => d.ServiceType == typeof(IEmbeddingModel));

        Assert.All(services, d => Assert.Equal(ServiceLifetime.Singleton, d.Lifetime));
        Assert.Same(Generator, generator.ImplementationFactory!(provider));
        Assert.Same(Generator, model.ImplementationFactory!(provider));
        Assert.Equal(typeof(MiniLmEmbeddingGenerator), services.Single(d => d.ServiceType == typeof(MiniLmEmbeddingGenerator)).ImplementationType);
    }

    private async Task<float[]> EmbedAsync(string text) =>
        (await Generator.GenerateVectorAsync(text, cancellationToken: Ct)).ToArray();

    private static string Words(string[] words, int count) =>
        string.Join(' ', Enumerable.Range(0, count).Select(i => words[i % words.Length]));

    private static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var largest = 0f;
        for (var i = 0; i < expected.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(expected[i] - actual[i]));
        }

        Assert.True(largest <= tolerance, $"{what}: largest difference {largest} exceeds {tolerance}");
    }

    private sealed class OnlyGeneratorProvider(MiniLmEmbeddingGenerator generator) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(MiniLmEmbeddingGenerator) ? generator : null;
    }
}
