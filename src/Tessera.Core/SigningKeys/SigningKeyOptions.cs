using System.Text;
using Tessera.Core.Jwt;

namespace Tessera.Core.SigningKeys;

/// <summary>
/// Section <c>Tessera:SigningKeys</c>: the persisted key ring of an asymmetric algorithm
/// (<c>Tessera:Jwt:Algorithm</c> = RS256, ES256 or EdDSA): what seals its private keys, how often a
/// new key is made, how long it is published before it signs, how often each instance re-reads the
/// ring, and how long verifiers may cache the JWKS.
/// </summary>
public sealed class SigningKeyOptions
{
    public const string SectionName = "Tessera:SigningKeys";

    /// <summary>
    /// The secret that seals the private keys in the database (AES-256-GCM under a key derived from
    /// it by HKDF-SHA256), so a copy of the database alone mints nothing. Unset: derived from
    /// <c>Tessera:Jwt:SigningKey</c> (Development generates one); neither outside Development stops the start.
    /// </summary>
    public string? ProtectionKey { get; set; }

    /// <summary>How long a key signs before the next one takes over.</summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a new key is published in the JWKS before it signs: longer than verifiers cache the
    /// JWKS (JwtBearer refreshes it every 12 h, plus jitter), so none meets a token of a key it has
    /// not fetched yet.
    /// </summary>
    public TimeSpan PublishAhead { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often an instance re-reads the ring (and makes the next key when it is due).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The JWKS's <c>Cache-Control: max-age</c>.</summary>
    public TimeSpan JwksMaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Problems that must stop the start; <paramref name="jwt"/>'s algorithm decides whether the ring is used at all.</summary>
    public IEnumerable<string> Validate(JwtOptions jwt, bool isDevelopment)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        if (!JwsSigningKey.IsAsymmetric(jwt.Algorithm))
            yield break;
        if (string.IsNullOrEmpty(ProtectionKey) && string.IsNullOrEmpty(jwt.SigningKey))
            yield return $"{SectionName}:{nameof(ProtectionKey)} is required with {JwtOptions.SectionName}:Algorithm {jwt.Algorithm} (environment: Tessera__SigningKeys__ProtectionKey); " +
                $"without it the key is derived from {JwtOptions.SectionName}:SigningKey, which is unset too.";
        else if (!isDevelopment && Encoding.UTF8.GetByteCount(string.IsNullOrEmpty(ProtectionKey) ? jwt.SigningKey : ProtectionKey) < JwtOptions.MinimumHmacKeyBytes)
            yield return $"{(string.IsNullOrEmpty(ProtectionKey) ? $"{JwtOptions.SectionName}:SigningKey (from which {SectionName}:{nameof(ProtectionKey)} is derived)" : $"{SectionName}:{nameof(ProtectionKey)}")} " +
                $"must be at least {JwtOptions.MinimumHmacKeyBytes} bytes (UTF-8).";
        if (PublishAhead < TimeSpan.Zero)
            yield return $"{SectionName}:{nameof(PublishAhead)} must not be negative (got {PublishAhead}).";
        if (RotationInterval <= PublishAhead)
            yield return $"{SectionName}:{nameof(RotationInterval)} ({RotationInterval}) must be longer than {nameof(PublishAhead)} ({PublishAhead}).";
        if (RefreshInterval <= TimeSpan.Zero)
            yield return $"{SectionName}:{nameof(RefreshInterval)} must be positive (got {RefreshInterval}).";
        else if (PublishAhead > TimeSpan.Zero && RefreshInterval >= PublishAhead)
            // Every instance must have read a new key before it signs, or tokens signed by it on one
            // instance are refused by another.
            yield return $"{SectionName}:{nameof(RefreshInterval)} ({RefreshInterval}) must be shorter than {nameof(PublishAhead)} ({PublishAhead}).";
        if (JwksMaxAge < TimeSpan.Zero)
            yield return $"{SectionName}:{nameof(JwksMaxAge)} must not be negative (got {JwksMaxAge}).";
        else if (JwksMaxAge > PublishAhead)
            // A verifier that honours max-age must fetch the JWKS again before the next key signs.
            yield return $"{SectionName}:{nameof(JwksMaxAge)} ({JwksMaxAge}) must not be longer than {nameof(PublishAhead)} ({PublishAhead}).";
    }
}
