using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Tessera.AspNetCore.Http;

/// <summary>
/// Reads a request body the way DRF's default parsers do: JSON, form-urlencoded or multipart into one
/// JSON object of fields, with DRF's errors for what cannot be read (400 parse error, 413, 415).
/// </summary>
public static class RequestBody
{
    /// <summary>Larger bodies are refused with 413 before they are read; no Tessera endpoint needs more.</summary>
    public const int DefaultMaxBytes = 64 * 1024;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 32 };
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static async Task<BodyReadResult> ReadAsync(HttpContext context, int maxBytes = DefaultMaxBytes)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
            return TooLarge();

        var contentType = request.ContentType;
        if (contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var media)
            && media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return await ReadMultipartAsync(request, maxBytes).ConfigureAwait(false);

        var body = await ReadBytesAsync(request.Body, maxBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
            return TooLarge();
        if (body.Length == 0)
            return new BodyReadResult(EmptyObject, null);

        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out media))
            return Unsupported(contentType ?? "");

        if (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            return ParseJson(body);
        if (media.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            return ParseForm(body);
        return Unsupported(contentType);
    }

    private static BodyReadResult ParseJson(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body, JsonOptions);
            return new BodyReadResult(doc.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            // STJ's message names the position, as Python's does; it carries no input text.
            return new BodyReadResult(default, ApiResults.Detail(StatusCodes.Status400BadRequest, "JSON parse error - " + e.Message));
        }
    }

    private static BodyReadResult ParseForm(byte[] body)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return new BodyReadResult(default, ApiResults.Detail(StatusCodes.Status400BadRequest, "Form parse error - the body is not valid UTF-8."));
        }
        var pairs = new List<(string Key, string Value)>();
        foreach (var pair in new QueryStringEnumerable(text))
            pairs.Add((pair.DecodeName().ToString(), pair.DecodeValue().ToString()));
        return FromPairs(pairs);
    }

    /// <summary>
    /// The text fields of a multipart body, read section by section (ASP.NET Core's form reader would
    /// merge names that differ only in case); file sections are skipped, as before.
    /// </summary>
    private static async Task<BodyReadResult> ReadMultipartAsync(HttpRequest request, int maxBytes)
    {
        var boundary = MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            ? HeaderUtilities.RemoveQuotes(media.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary))
            return MalformedMultipart();
        // The whole body within maxBytes, as every other body here (and as the form reader's
        // MultipartBodyLengthLimit bounded it): a section's own limit would let 1024 of them through.
        var body = await ReadBytesAsync(request.Body, maxBytes, request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (body is null)
            return TooLarge();
        var reader = new MultipartReader(boundary, new MemoryStream(body, writable: false)) { HeadersLengthLimit = 16 * 1024 };
        var pairs = new List<(string Key, string Value)>();
        try
        {
            while (await reader.ReadNextSectionAsync(request.HttpContext.RequestAborted).ConfigureAwait(false) is { } section)
            {
                if (section.GetContentDispositionHeader() is not { } disposition || !disposition.IsFormDisposition())
                    continue; // a file, or a part that is no form field
                if (pairs.Count == MaxMultipartFields)
                    return MalformedMultipart();
                var field = section.AsFormDataSection()!;
                pairs.Add((field.Name, await field.GetValueAsync(request.HttpContext.RequestAborted).ConfigureAwait(false)));
            }
        }
        catch (InvalidDataException)
        {
            return MalformedMultipart();
        }
        catch (IOException)
        {
            return MalformedMultipart();
        }
        return FromPairs(pairs);
    }

    /// <summary>ASP.NET Core's form reader's limit (FormOptions.ValueCountLimit), kept.</summary>
    private const int MaxMultipartFields = 1024;

    private static BodyReadResult MalformedMultipart()
        => new(default, ApiResults.Detail(StatusCodes.Status400BadRequest, "Multipart form parse error - the body is malformed or too large."));

    /// <summary>
    /// Form fields become JSON strings. As in Django's QueryDict, names are case-sensitive
    /// (<c>password</c> and <c>PASSWORD</c> are two fields) and the last of repeated names wins, so a
    /// proxy and Tessera cannot read one body two ways.
    /// </summary>
    private static BodyReadResult FromPairs(IReadOnlyList<(string Key, string Value)> pairs)
    {
        var fields = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
            fields[key] = value;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in fields)
                writer.WriteString(key, value);
            writer.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return new BodyReadResult(doc.RootElement.Clone(), null);
    }

    private static async Task<byte[]?> ReadBytesAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        using var ms = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (ms.Length + read > maxBytes)
                    return null;
                ms.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return ms.ToArray();
    }

    private static BodyReadResult TooLarge()
        => new(default, ApiResults.Detail(StatusCodes.Status413PayloadTooLarge, ApiResults.Messages.BodyTooLarge));

    private static BodyReadResult Unsupported(string contentType)
        => new(default, ApiResults.Detail(StatusCodes.Status415UnsupportedMediaType, UnsupportedMediaType(contentType)));

    /// <summary>DRF's 415 detail.</summary>
    internal static string UnsupportedMediaType(string? contentType) => $"Unsupported media type \"{contentType}\" in request.";
}

/// <summary>The body's fields as one JSON value (an object unless the client sent something else), or the error response.</summary>
public readonly record struct BodyReadResult(JsonElement Fields, IResult? Error);
