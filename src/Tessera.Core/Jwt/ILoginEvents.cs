namespace Tessera.Core.Jwt;

/// <summary>What the logins of <see cref="JwtLoginService"/> tell the app (the web layer routes it to its events and its log).</summary>
public interface ILoginEvents
{
    /// <summary>A new login's tokens are about to be minted: add or remove custom claims.</summary>
    ValueTask TokenIssuingAsync(TokenIssuingContext context, CancellationToken cancellationToken);

    /// <summary>A rotated refresh token came back after the reuse grace: treated as stolen, its login was revoked.</summary>
    ValueTask RefreshTokenReusedAsync(long? userId, string? loginId, CancellationToken cancellationToken);

    /// <summary>A login was revoked: <paramref name="reason"/> is "logout" or "reuse".</summary>
    ValueTask LoginRevokedAsync(long? userId, string? loginId, string reason, CancellationToken cancellationToken);
}
