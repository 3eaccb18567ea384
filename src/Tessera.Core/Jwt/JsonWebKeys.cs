using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;

namespace Tessera.Core.Jwt;

/// <summary>
/// Public JWKs (RFC 7517, 7518 §6, 8037 §2) of the asymmetric keys: written by the keys, read
/// strictly from a JWKS (see <see cref="JwsSigningKey.TryImportPublicJwk"/>).
/// </summary>
internal static class JsonWebKeys
{
    public const int MaxKeyIdLength = 256;

    // Every private member of RFC 7518 §6.2.2/§6.3.2/§6.4 (oct's "k") and RFC 8037 §2 ("d").
    private static readonly HashSet<string> PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    public static Dictionary<string, string> Describe(string kty, string algorithm, string keyId, params (string Name, string Value)[] members)
    {
        var jwk = new Dictionary<string, string>(StringComparer.Ordinal) { ["kty"] = kty, ["use"] = "sig", ["alg"] = algorithm, ["kid"] = keyId };
        foreach (var (name, value) in members)
        {
            jwk[name] = value;
        }

        return jwk;
    }

    public static bool TryImportPublic(JsonElement jwk, [NotNullWhen(true)] out JwsSigningKey? key)
        => TryImportPublic(jwk, inferMissingAlgorithm: false, out key);

    /// <summary>
    /// <see cref="TryImportPublic(JsonElement, out JwsSigningKey?)"/>, except that with
    /// <paramref name="inferMissingAlgorithm"/> a key without <c>alg</c> (RFC 7517 §4.4 makes it
    /// optional; Microsoft's JWKS leaves it out) gets the one algorithm Tessera has for its type:
    /// RSA → RS256, EC (P-256) → ES256, OKP (Ed25519) → EdDSA. An <c>alg</c> present is still pinned.
    /// </summary>
    public static bool TryImportPublic(JsonElement jwk, bool inferMissingAlgorithm, [NotNullWhen(true)] out JwsSigningKey? key)
    {
        key = null;
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        // Every member once, strings only (but key_ops), and none private.
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        bool verifyAllowed = true;
        foreach (JsonProperty member in jwk.EnumerateObject())
        {
            if (PrivateMembers.Contains(member.Name) || members.ContainsKey(member.Name))
            {
                return false;
            }

            if (member.NameEquals("key_ops"))
            {
                verifyAllowed = member.Value.ValueKind == JsonValueKind.Array
                    && member.Value.EnumerateArray().Any(op => op.ValueKind == JsonValueKind.String && op.ValueEquals("verify"));
                members[member.Name] = "";
                continue;
            }

            if (member.Value.ValueKind == JsonValueKind.String)
            {
                members[member.Name] = member.Value.GetString()!;
            }
            else
            {
                // x5c (an array) and other extensions are not ours to judge; only the members we read must be strings.
                members[member.Name] = "\0";
            }
        }

        if (inferMissingAlgorithm && !members.ContainsKey("alg") && members.TryGetValue("kty", out string? type))
        {
            members["alg"] = type switch
            {
                "RSA" => RsaSigningKey.AlgorithmName,
                "EC" => EcdsaSigningKey.AlgorithmName,
                "OKP" => Ed25519SigningKey.AlgorithmName,
                _ => "",
            };
        }

        if (!verifyAllowed
            || !TryGet(members, "kty", out string? kty)
            || !TryGet(members, "alg", out string? alg)
            || !TryGet(members, "kid", out string? kid) || kid.Length > MaxKeyIdLength
            || (members.TryGetValue("use", out string? use) && use != "sig"))
        {
            return false;
        }

        try
        {
            switch (kty, alg)
            {
                case ("RSA", RsaSigningKey.AlgorithmName):
                    if (!TryDecode(members, "n", out byte[]? n) || n[0] == 0 || n.Length * 8 is < RsaSigningKey.MinKeySize or > RsaSigningKey.MaxKeySize
                        || !TryDecode(members, "e", out byte[]? e) || e.Length > 4 || e[0] == 0 || (e[^1] & 1) == 0 || (e.Length == 1 && e[0] < 3))
                    {
                        return false;
                    }

                    key = RsaSigningKey.ImportPublic(kid, n, e);
                    return true;

                case ("EC", EcdsaSigningKey.AlgorithmName):
                    if (!TryGet(members, "crv", out string? crv) || crv != EcdsaSigningKey.CurveName
                        || !TryDecode(members, "x", out byte[]? x) || x.Length != EcdsaSigningKey.CoordinateSize
                        || !TryDecode(members, "y", out byte[]? y) || y.Length != EcdsaSigningKey.CoordinateSize)
                    {
                        return false;
                    }

                    key = EcdsaSigningKey.ImportPublic(kid, x, y);
                    return true;

                case ("OKP", Ed25519SigningKey.AlgorithmName):
                    if (!TryGet(members, "crv", out string? okpCurve) || okpCurve != Ed25519SigningKey.CurveName
                        || !TryDecode(members, "x", out byte[]? publicKey)
                        || !Ed25519SigningKey.TryImportPublic(kid, publicKey, out Ed25519SigningKey? edKey))
                    {
                        return false;
                    }

                    key = edKey!;
                    return true;

                default:
                    return false;
            }
        }
        catch (CryptographicException)
        {
            // Not a point of the curve, or a modulus the platform refuses.
            key = null;
            return false;
        }
    }

    private static bool TryGet(Dictionary<string, string> members, string name, [NotNullWhen(true)] out string? value)
        => members.TryGetValue(name, out value) && value.Length > 0 && value != "\0";

    private static bool TryDecode(Dictionary<string, string> members, string name, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (!TryGet(members, name, out string? text) || !StrictBase64Url.IsCanonical(text))
        {
            return false;
        }

        int length = StrictBase64Url.DecodedLength(text.Length);
        if (length <= 0)
        {
            return false;
        }

        var buffer = new byte[length];
        if (!StrictBase64Url.TryDecode(text, buffer, out int written) || written != length)
        {
            return false;
        }

        bytes = buffer;
        return true;
    }
}
