using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Tessera.Core.Jwt;

namespace Tessera.AspNetCore.SigningKeys;

/// <summary>
/// The JWKS of a key set, serialized once per set (the ring swaps sets; a request costs no
/// serialization): the public members of every key that has them, and a strong ETag over the body.
/// A key without a public JWK (HS256's shared secret) is never listed.
/// </summary>
internal sealed class JwksDocument
{
    private static readonly ConditionalWeakTable<JwsKeySet, JwksDocument> Documents = new();

    private JwksDocument(JwsKeySet set)
    {
        var keys = set.Keys.Select(k => k.PublicJwk).Where(jwk => jwk is not null).ToList();
        Body = JsonSerializer.SerializeToUtf8Bytes(new { keys });
        ETag = "\"" + StrictBase64Url.Encode(SHA256.HashData(Body)) + "\"";
    }

    public byte[] Body { get; }

    public string ETag { get; }

    public static JwksDocument Of(JwsKeySet set) => Documents.GetValue(set, s => new JwksDocument(s));
}
