using System.Text.Json;
using Memic.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Requests;

/// <summary>
/// Reads a request's JSON object. Malformed JSON is a 400 <c>bad_request</c>; a body that is not an object, or holds a
/// string that is not valid UTF-16 (a lone surrogate escape such as <c>"\ud800"</c>), is a 422 (CONTRACT §11).
/// </summary>
internal static class JsonBodyReader
{
    /// <summary>JSON bodies of Memic's routes are small; anything larger is refused before parsing.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The body's JSON object; an empty body reads as <c>{}</c>, so required fields are reported missing.</summary>
    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }

        using var buffer = new MemoryStream();
        await CopyLimitedAsync(request.Body, buffer, cancellationToken);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            return EmptyObject();
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new BadRequestException(ErrorCodes.BadRequest, $"The request body is not valid JSON: {ex.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException([new FieldError(["body"], "Input should be a JSON object.", "model_attributes_type")]);
        }

        var invalidText = JsonText.FindInvalidStrings(root, ["body"]);
        return invalidText.Count > 0 ? throw new ValidationException(invalidText) : root;
    }

    private static async Task CopyLimitedAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (destination.Length + read > MaxBytes)
            {
                throw TooLarge();
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static MemicException TooLarge() =>
        new(ErrorKind.PayloadTooLarge, ErrorCodes.BadRequest, $"JSON bodies are limited to {MaxBytes} bytes.");

    private static JsonElement EmptyObject()
    {
        using var document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }
}
