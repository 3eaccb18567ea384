namespace Tessera.Core.Jwt;

/// <summary>Why a token was refused, in SimpleJWT's categories (each has one client-facing message).</summary>
public enum TokenError
{
    None = 0,

    /// <summary>Malformed, bad signature or header, bad claim format, wrong <c>aud</c>/<c>iss</c>, future <c>nbf</c>/<c>iat</c>.</summary>
    Invalid,

    /// <summary><c>exp</c> has passed (with leeway).</summary>
    Expired,

    /// <summary><c>nbf</c> or <c>iat</c> is in the future (beyond leeway).</summary>
    NotYetValid,

    /// <summary>No <c>exp</c>: SimpleJWT refuses tokens that never expire.</summary>
    NoExpiration,

    /// <summary>No <c>jti</c>.</summary>
    NoId,

    /// <summary>No <c>token_type</c>.</summary>
    NoType,

    /// <summary><c>token_type</c> unknown, or not the kind expected here.</summary>
    WrongType,
}

/// <summary>SimpleJWT 5.2.2's texts, which its clients see in <c>messages[].message</c> and <c>detail</c>.</summary>
internal static class TokenValidationMessages
{
    /// <summary>What PyJWT's failures all become in SimpleJWT 5.2.2 (5.5 splits it; the spec follows 5.2.2).</summary>
    public const string InvalidOrExpired = "Token is invalid or expired";
    public const string NoExpiration = "Token has no 'exp' claim";
    public const string NoId = "Token has no id";
    public const string NoType = "Token has no type";
    public const string WrongType = "Token has wrong type";

    /// <summary>Sliding refresh after <c>refresh_exp</c> (SimpleJWT's check_exp on that claim).</summary>
    public const string RefreshExpired = "Token 'refresh_exp' claim has expired";
    public const string NoRefreshExpiration = "Token has no 'refresh_exp' claim";

    public static string For(TokenError error) => error switch
    {
        TokenError.None => "",
        TokenError.NoExpiration => NoExpiration,
        TokenError.NoId => NoId,
        TokenError.NoType => NoType,
        TokenError.WrongType => WrongType,
        _ => InvalidOrExpired,
    };
}

/// <summary>Outcome of <see cref="TokenValidator"/>: the token, or the reason and its message.</summary>
public readonly struct TokenValidationResult
{
    private TokenValidationResult(ValidatedToken? token, TokenError error, JwsError jwsError)
    {
        Token = token;
        Error = error;
        JwsError = jwsError;
    }

    public bool IsValid => Error == TokenError.None;

    /// <summary>The token when valid, else null.</summary>
    public ValidatedToken? Token { get; }

    public TokenError Error { get; }

    /// <summary>For logs: what the JWS layer objected to, when it did.</summary>
    public JwsError JwsError { get; }

    /// <summary>The SimpleJWT text for <see cref="Error"/>; empty when valid.</summary>
    public string Message => TokenValidationMessages.For(Error);

    internal static TokenValidationResult Ok(ValidatedToken token) => new(token, TokenError.None, JwsError.None);

    internal static TokenValidationResult Fail(TokenError error, JwsError jwsError = JwsError.None) => new(null, error, jwsError);
}
