using System.Text.Json;

namespace Tessera.Core.Jwt;

/// <summary>Why a compact JWS was refused. For logs and tests; clients only ever see one message.</summary>
public enum JwsError
{
    None = 0,

    /// <summary>Empty, or not exactly three dot-separated segments.</summary>
    Malformed,

    /// <summary>Longer than <see cref="JwsCodec.MaxTokenLength"/>.</summary>
    TooLong,

    /// <summary>A character outside the base64url alphabet (including '=' padding), an impossible length, or non-zero spare bits.</summary>
    InvalidBase64Url,

    /// <summary>Header is not valid UTF-8 JSON, not an object, has duplicate members, or a member of the wrong type.</summary>
    InvalidHeader,

    /// <summary><c>alg</c> missing or not the algorithm of the key the token names (of the one key, when it has no kid).</summary>
    AlgorithmMismatch,

    /// <summary>A <c>crit</c> header: it names extensions we do not implement (RFC 7515 §4.1.11).</summary>
    CriticalHeader,

    /// <summary><c>jwk</c>, <c>jku</c>, <c>x5u</c> or <c>x5c</c>: the token trying to choose its own key.</summary>
    EmbeddedKey,

    /// <summary><c>typ</c> present and not "JWT".</summary>
    UnsupportedType,

    /// <summary>
    /// <c>kid</c> is not a string; or, the keys being named, missing or naming no key of the current set.
    /// </summary>
    KeyIdMismatch,

    InvalidSignature,

    /// <summary>Payload is not valid UTF-8 JSON, not an object, has duplicate members or unpaired surrogate escapes.</summary>
    InvalidPayload,
}

/// <summary>Outcome of <see cref="JwsCodec.Decode(string?)"/>: the verified payload, or why not.</summary>
public readonly struct JwsDecodeResult
{
    private JwsDecodeResult(JwsError error, JsonElement payload)
    {
        Error = error;
        Payload = payload;
    }

    public JwsError Error { get; }

    public bool Success => Error == JwsError.None;

    /// <summary>The payload object (owned: needs no disposal, outlives the token string). Default when failed.</summary>
    public JsonElement Payload { get; }

    internal static JwsDecodeResult Ok(JsonElement payload) => new(JwsError.None, payload);

    internal static JwsDecodeResult Fail(JwsError error) => new(error, default);
}
