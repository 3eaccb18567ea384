namespace Tessera.Core.Jwt;

/// <summary>A refused token operation, in SimpleJWT's terms: the message and the error code clients see.</summary>
public sealed record TokenFailure(string Message, string Code)
{
    public const string TokenNotValid = "token_not_valid";
    public const string NoActiveAccount = "no_active_account";

    public static TokenFailure NotValid(string message) => new(message, TokenNotValid);

    public static TokenFailure Blacklisted { get; } = NotValid("Token is blacklisted");

    public static TokenFailure NoUser { get; } = NotValid("Token contained no recognizable user identification");

    /// <summary>SimpleJWT's JWTAuthentication for a token whose user does not exist.</summary>
    public static TokenFailure UserNotFound { get; } = new("User not found", "user_not_found");

    /// <summary>SimpleJWT's JWTAuthentication for a token of an inactive user.</summary>
    public static TokenFailure UserInactive { get; } = new("User is inactive", "user_inactive");

    /// <summary>SimpleJWT ≥ 5.3 refuses to refresh for a deleted or deactivated user; so do we.</summary>
    public static TokenFailure InactiveAccount { get; } = new("No active account found for the given token.", NoActiveAccount);
}

/// <summary>The result of a token operation: a value or a failure.</summary>
public readonly record struct TokenOutcome<T>(T? Value, TokenFailure? Failure)
{
    public static implicit operator TokenOutcome<T>(TokenFailure failure) => new(default, failure);

    public static TokenOutcome<T> Ok(T value) => new(value, null);
}
