using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Tessera.Core.Jwt;

/// <summary>
/// Strict compact JWS (RFC 7515, with the RFC 8725 hardening) over a <see cref="JwsKeyRing"/>. Decoding
/// runs on every request, so the accepted path stays on the stack except for the payload element
/// (and <see cref="TokenValidator"/>, through <see cref="Verify(ReadOnlySpan{char}, out Range)"/>, does without that too).
/// Bad input is a failed result, never an exception.
/// </summary>
public sealed class JwsCodec
{
    /// <summary>Upper bound on token length; real tokens are a few hundred characters.</summary>
    public const int MaxTokenLength = 8 * 1024;

    private const int StackLimit = 1024;

    // Duplicate member names are ambiguous (RFC 7515 §4, RFC 8259 §4): different parsers pick
    // different values, which is how claims get smuggled past one of them. Refuse them.
    private static readonly JsonDocumentOptions StrictJson = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    private readonly JwsKeyRing _ring;

    /// <summary>A codec over <paramref name="ring"/>'s current set: it signs with its signing key and verifies with any of its keys.</summary>
    public JwsCodec(JwsKeyRing ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        _ring = ring;
    }

    /// <summary>A codec for one key (a ring of one that never changes).</summary>
    public JwsCodec(JwsSigningKey key)
        : this(new JwsKeyRing(JwsKeySet.Single(key ?? throw new ArgumentNullException(nameof(key)))))
    {
    }

    /// <summary>The key new tokens are signed with now.</summary>
    /// <exception cref="InvalidOperationException">The current set only verifies.</exception>
    public JwsSigningKey Key => _ring.Current.Signing ?? throw new InvalidOperationException("The key ring has no signing key.");

    internal JwsKeyRing Ring => _ring;

    /// <summary>
    /// Signs a payload (UTF-8 JSON object; the caller writes it) with the current signing key, under
    /// the header <c>{"alg":..,"kid":..,"typ":"JWT"}</c> (sorted, like PyJWT; no kid when the key has none).
    /// </summary>
    /// <exception cref="InvalidOperationException">The current set only verifies.</exception>
    public string Encode(ReadOnlySpan<byte> payloadJsonUtf8)
    {
        JwsKeySet.Entry signing = _ring.Current.SigningEntry ?? throw new InvalidOperationException("The key ring has no signing key.");
        JwsSigningKey key = signing.Key;
        string encodedHeader = signing.EncodedHeader;
        int headerLength = encodedHeader.Length;
        int payloadLength = StrictBase64Url.EncodedLength(payloadJsonUtf8.Length);
        int signingInputLength = headerLength + 1 + payloadLength;
        int signatureLength = StrictBase64Url.EncodedLength(key.SignatureSize);
        int total = signingInputLength + 1 + signatureLength;

        byte[] rented = ArrayPool<byte>.Shared.Rent(total + key.SignatureSize);
        try
        {
            Span<byte> buffer = rented.AsSpan(0, total);
            Encoding.ASCII.GetBytes(encodedHeader, buffer);
            buffer[headerLength] = (byte)'.';
            StrictBase64Url.Encode(payloadJsonUtf8, buffer[(headerLength + 1)..]);

            Span<byte> signature = rented.AsSpan(total, key.SignatureSize);
            if (!key.TrySign(buffer[..signingInputLength], signature, out int signed))
            {
                throw new System.Security.Cryptography.CryptographicException("The signing key produced no signature.");
            }

            buffer[signingInputLength] = (byte)'.';
            int sigChars = StrictBase64Url.Encode(signature[..signed], buffer[(signingInputLength + 1)..]);
            return Encoding.ASCII.GetString(buffer[..(signingInputLength + 1 + sigChars)]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public JwsDecodeResult Decode(string? token) => token is null
        ? JwsDecodeResult.Fail(JwsError.Malformed)
        : Decode(token.AsSpan());

    public JwsDecodeResult Decode(ReadOnlySpan<char> token)
    {
        JwsError error = Verify(token, out Range payload);
        return error == JwsError.None ? DecodePayload(token[payload]) : JwsDecodeResult.Fail(error);
    }

    /// <summary>
    /// Everything <see cref="Decode(ReadOnlySpan{char})"/> checks except the payload's JSON: the
    /// shape, the base64url of all three segments, the header and the signature. On success,
    /// <paramref name="payload"/> is where the (canonical base64url, signed) payload segment is, for
    /// a caller that reads the claims itself rather than through a parsed document.
    /// </summary>
    internal JwsError Verify(ReadOnlySpan<char> token, out Range payload) => Verify(token, out payload, out _, out _);

    /// <summary>
    /// <see cref="Verify(ReadOnlySpan{char}, out Range)"/>, also saying which key verified the
    /// token and in which set (for <see cref="ValidatedTokenCache"/>, which forgets the token when
    /// the key leaves the ring).
    /// </summary>
    internal JwsError Verify(ReadOnlySpan<char> token, out Range payload, out JwsSigningKey? key, out JwsKeySet keys)
    {
        payload = default;
        key = null;
        keys = _ring.Current;
        if (token.IsEmpty)
        {
            return JwsError.Malformed;
        }

        if (token.Length > MaxTokenLength)
        {
            return JwsError.TooLong;
        }

        int firstDot = token.IndexOf('.');
        if (firstDot < 0)
        {
            return JwsError.Malformed;
        }

        int secondDot = token[(firstDot + 1)..].IndexOf('.');
        if (secondDot < 0)
        {
            return JwsError.Malformed;
        }

        secondDot += firstDot + 1;
        if (token[(secondDot + 1)..].Contains('.'))
        {
            return JwsError.Malformed;
        }

        ReadOnlySpan<char> header = token[..firstDot];
        ReadOnlySpan<char> encodedPayload = token[(firstDot + 1)..secondDot];
        ReadOnlySpan<char> signature = token[(secondDot + 1)..];

        // Alphabet and canonical form first, for all three: after this every character is ASCII.
        if (!StrictBase64Url.IsCanonical(header) || !StrictBase64Url.IsCanonical(encodedPayload) || !StrictBase64Url.IsCanonical(signature))
        {
            return JwsError.InvalidBase64Url;
        }

        // The fast path: the very header we write for one of the keys names that key.
        JwsSigningKey? verifier = null;
        foreach (JwsKeySet.Entry entry in keys.Entries)
        {
            if (header.SequenceEqual(entry.EncodedHeader))
            {
                verifier = entry.Key;
                break;
            }
        }

        if (verifier is null)
        {
            JwsError headerError = CheckHeader(header, keys, out verifier);
            if (headerError != JwsError.None)
            {
                return headerError;
            }
        }

        // The signature covers the ASCII text of "header.payload" (RFC 7515 §5.2 step 8), so it is
        // checked before the payload is even decoded: forged payloads never reach the JSON parser.
        if (!VerifySignature(verifier!, token[..secondDot], signature))
        {
            return JwsError.InvalidSignature;
        }

        payload = (firstDot + 1)..secondDot;
        key = verifier;
        return JwsError.None;
    }

    private static bool VerifySignature(JwsSigningKey key, ReadOnlySpan<char> signingInput, ReadOnlySpan<char> encodedSignature)
    {
        int signatureSize = StrictBase64Url.DecodedLength(encodedSignature.Length);
        if (signatureSize != key.SignatureSize)
        {
            return false;
        }

        byte[]? rentedSignature = null;
        byte[]? rentedInput = null;
        try
        {
            // Exactly sized: stack buffers are zeroed, and this runs on every request.
            Span<byte> signature = signatureSize <= 512
                ? stackalloc byte[signatureSize]
                : (rentedSignature = ArrayPool<byte>.Shared.Rent(signatureSize));
            Span<byte> input = signingInput.Length <= StackLimit
                ? stackalloc byte[signingInput.Length]
                : (rentedInput = ArrayPool<byte>.Shared.Rent(signingInput.Length));

            if (!StrictBase64Url.TryDecode(encodedSignature, signature, out int written))
            {
                return false;
            }

            int inputLength = Encoding.ASCII.GetBytes(signingInput, input);
            return key.Verify(input[..inputLength], signature[..written]);
        }
        finally
        {
            if (rentedSignature is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedSignature);
            }

            if (rentedInput is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedInput);
            }
        }
    }

    /// <summary>
    /// The slow path, for headers not byte-identical to one of ours (other issuers, other key
    /// order): finds the key the token names and checks that its alg is that key's.
    /// </summary>
    private static JwsError CheckHeader(ReadOnlySpan<char> encodedHeader, JwsKeySet keys, out JwsSigningKey? key)
    {
        key = null;
        JsonElement header;
        if (!TryParseObject(encodedHeader, out header))
        {
            return JwsError.InvalidHeader;
        }

        try
        {
            JsonElement alg = default;
            JsonElement kid = default;
            foreach (JsonProperty member in header.EnumerateObject())
            {
                if (member.NameEquals("alg"))
                {
                    // Never the token's choice: only the algorithm of a key we hold is acceptable
                    // (and, below, only the one of the key the token names).
                    if (member.Value.ValueKind != JsonValueKind.String || !IsAlgorithmOf(member.Value, keys))
                    {
                        return JwsError.AlgorithmMismatch;
                    }

                    alg = member.Value;
                }
                else if (member.NameEquals("crit"))
                {
                    return JwsError.CriticalHeader;
                }
                else if (member.NameEquals("jwk") || member.NameEquals("jku") || member.NameEquals("x5u") || member.NameEquals("x5c"))
                {
                    return JwsError.EmbeddedKey;
                }
                else if (member.NameEquals("typ"))
                {
                    if (member.Value.ValueKind != JsonValueKind.String
                        || !string.Equals(member.Value.GetString(), "JWT", StringComparison.OrdinalIgnoreCase))
                    {
                        return JwsError.UnsupportedType;
                    }
                }
                else if (member.NameEquals("kid"))
                {
                    // PyJWT refuses a non-string kid.
                    if (member.Value.ValueKind != JsonValueKind.String)
                    {
                        return JwsError.KeyIdMismatch;
                    }

                    kid = member.Value;
                }
            }

            if (alg.ValueKind == JsonValueKind.Undefined)
            {
                return JwsError.AlgorithmMismatch;
            }

            if (keys.Keyless is { } keyless)
            {
                // One key without kid: a token's kid is ignored, because SimpleJWT services may
                // set one while sharing a plain secret.
                key = keyless;
            }
            else if (kid.ValueKind != JsonValueKind.String || FindKey(kid, keys) is not { } named)
            {
                // With named keys, the token must name one we hold.
                return JwsError.KeyIdMismatch;
            }
            else
            {
                key = named;
            }

            // The algorithm is pinned to the key: a kid of an RS256 key with "alg":"HS256" is refused here.
            return alg.ValueEquals(key.Algorithm) ? JwsError.None : JwsError.AlgorithmMismatch;
        }
        catch (InvalidOperationException)
        {
            // Unpaired surrogate escapes in a name or value.
            key = null;
            return JwsError.InvalidHeader;
        }
    }

    private static bool IsAlgorithmOf(JsonElement alg, JwsKeySet keys)
    {
        foreach (JwsKeySet.Entry entry in keys.Entries)
        {
            if (alg.ValueEquals(entry.Key.Algorithm))
            {
                return true;
            }
        }

        return false;
    }

    private static JwsSigningKey? FindKey(JsonElement kid, JwsKeySet keys)
    {
        string? text = kid.GetString();
        return text is null ? null : keys.Find(text)?.Key;
    }

    private static JwsDecodeResult DecodePayload(ReadOnlySpan<char> encodedPayload)
    {
        if (!TryParseObject(encodedPayload, out JsonElement payload))
        {
            return JwsDecodeResult.Fail(JwsError.InvalidPayload);
        }

        return JwsDecodeResult.Ok(payload);
    }

    /// <summary>
    /// Decodes a (canonical) base64url segment and parses it with <see cref="TryParseStrict"/>.
    /// The element owns a copy of its data, so the buffer can go back at once.
    /// </summary>
    private static bool TryParseObject(ReadOnlySpan<char> encoded, out JsonElement element)
    {
        element = default;
        int length = StrictBase64Url.DecodedLength(encoded.Length);
        if (length <= 0)
        {
            return false;
        }

        byte[]? rented = null;
        try
        {
            Span<byte> bytes = length <= StackLimit
                ? stackalloc byte[StackLimit]
                : (rented = ArrayPool<byte>.Shared.Rent(length));
            return StrictBase64Url.TryDecode(encoded, bytes, out int written) && TryParseStrict(bytes[..written], out element);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Checks UTF-8 and parses one JSON object with no duplicate members (at any depth) and no
    /// unpaired surrogate escapes: the definition of a clean header or payload. The element owns a
    /// copy of the data.
    /// </summary>
    internal static bool TryParseStrict(ReadOnlySpan<byte> json, out JsonElement element)
    {
        element = default;
        if (json.IsEmpty || !Utf8.IsValid(json))
        {
            return false;
        }

        try
        {
            JsonElement parsed = JsonElement.Parse(json, StrictJson);
            if (parsed.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            // "\ud800" is valid JSON text but no string: reading it would throw later, in code
            // that trusts a verified token. Escapes are rare, so only then walk the tree.
            if (MayHaveSurrogateEscape(json) && !JsonText.HasOnlyValidStrings(parsed))
            {
                return false;
            }

            element = parsed;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // The duplicate-name check unescapes names, and throws on an unpaired surrogate.
            return false;
        }
    }

    internal static bool MayHaveSurrogateEscape(ReadOnlySpan<byte> json)
    {
        // Looks for \uD8.. to \uDF.. (any case); false positives only cost a walk.
        int i;
        while ((i = json.IndexOf("\\u"u8)) >= 0)
        {
            json = json[(i + 2)..];
            if (json.Length >= 2 && (json[0] | 0x20) == 'd' && IsSurrogateSecondDigit(json[1]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSurrogateSecondDigit(byte b) => b is (byte)'8' or (byte)'9' || (b | 0x20) is >= 'a' and <= 'f';
}
