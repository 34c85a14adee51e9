using System.Globalization;
using Memic.Core.Ports;

namespace Memic.Ingestion.Chunking;

/// <summary>
/// A dependency-free estimate of BERT WordPiece token counts (all-MiniLM-L6-v2 and relatives): words split
/// on whitespace and punctuation, each punctuation mark and CJK character one token, short words one
/// piece, longer words one more piece per four further characters, digit runs one piece per three digits.
/// It tends to over-count English a little, which errs on the side of chunks that fit. For exact sizing,
/// plug in the embedder's real tokenizer through <see cref="ITokenCounter"/>.
/// </summary>
public sealed class ApproximateWordPieceTokenCounter : ITokenCounter
{
    private const int WholeWordLength = 6;
    private const int CharactersPerExtraPiece = 4;
    private const int DigitsPerPiece = 3;

    /// <summary>Shared instance; the counter holds no state.</summary>
    public static ApproximateWordPieceTokenCounter Instance { get; } = new();

    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = 0;
        var wordLength = 0;
        var digitsOnly = true;
        foreach (var character in text)
        {
            if (char.IsLetterOrDigit(character) && !IsCjk(character))
            {
                wordLength++;
                digitsOnly &= char.IsDigit(character);
                continue;
            }

            tokens += WordPieces(wordLength, digitsOnly);
            wordLength = 0;
            digitsOnly = true;
            if (char.IsWhiteSpace(character) || char.IsControl(character) || char.IsLowSurrogate(character)
                || CharUnicodeInfo.GetUnicodeCategory(character) is UnicodeCategory.NonSpacingMark or UnicodeCategory.Format)
            {
                continue;
            }

            // Punctuation, symbols, CJK characters and high surrogates (emoji): one token each.
            tokens++;
        }

        return tokens + WordPieces(wordLength, digitsOnly);
    }

    private static int WordPieces(int length, bool digitsOnly) =>
        length == 0 ? 0
        : digitsOnly ? (length + DigitsPerPiece - 1) / DigitsPerPiece
        : 1 + (Math.Max(0, length - WholeWordLength) + CharactersPerExtraPiece - 1) / CharactersPerExtraPiece;

    private static bool IsCjk(char character) =>
        character is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF')
            or (>= '\uAC00' and <= '\uD7AF') or (>= '\uF900' and <= '\uFAFF');
}
