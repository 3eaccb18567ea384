using System.Diagnostics.CodeAnalysis;

namespace Tessera.Core.Jwt;

/// <summary>
/// The <c>token_type</c> of a token. Exactly one kind is accepted where one is expected, so the
/// kind is part of every validation. Purpose kinds (email verification, password reset) will be
/// added here; they must never be accepted where a login kind is expected.
/// </summary>
public enum TokenKind
{
    Access,
    Refresh,
    Sliding,
}

/// <summary>Maps <see cref="TokenKind"/> to and from SimpleJWT's wire names.</summary>
internal static class TokenKinds
{
    public const string AccessWireName = "access";
    public const string RefreshWireName = "refresh";
    public const string SlidingWireName = "sliding";

    public static string WireName(TokenKind kind) => kind switch
    {
        TokenKind.Access => AccessWireName,
        TokenKind.Refresh => RefreshWireName,
        TokenKind.Sliding => SlidingWireName,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown token kind."),
    };

    /// <summary>Exact, case-sensitive match, as SimpleJWT compares <c>token_type</c>.</summary>
    /// <summary>The kind a JSON string names (escaped or not), or null; allocates nothing.</summary>
    internal static TokenKind? Of(System.Text.Json.JsonElement wireName)
        => wireName.ValueEquals(AccessWireName) ? TokenKind.Access
            : wireName.ValueEquals(RefreshWireName) ? TokenKind.Refresh
            : wireName.ValueEquals(SlidingWireName) ? TokenKind.Sliding
            : null;

    public static bool TryParse([NotNullWhen(true)] string? wireName, out TokenKind kind)
    {
        switch (wireName)
        {
            case AccessWireName: kind = TokenKind.Access; return true;
            case RefreshWireName: kind = TokenKind.Refresh; return true;
            case SlidingWireName: kind = TokenKind.Sliding; return true;
            default: kind = default; return false;
        }
    }
}
