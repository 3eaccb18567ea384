namespace Tessera.Core.Revocation;

/// <summary>
/// A refresh or sliding token that may not be used again (rotated, blacklisted, logged out).
/// The row lives only until the token it denies expires: after that the token is refused for its
/// <c>exp</c> alone, so the row is swept.
/// </summary>
public sealed class BlacklistedToken
{
    public const int JtiMaxLength = Jwt.TokenValidator.MaxJtiLength;

    public required string Jti { get; set; }
    public long? UserId { get; set; }
    /// <summary>Unix seconds: the <c>exp</c> of the denied token.</summary>
    public long ExpiresAt { get; set; }
    /// <summary>Unix milliseconds: when it was rotated or logged out, the start of its reuse grace.</summary>
    public long BlacklistedAtMs { get; set; }
}
