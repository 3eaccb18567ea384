using System.Buffers;
using Microsoft.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// What every one of Tessera's credential kinds has as an ASP.NET Core scheme (as
/// <c>JwtBearerOptions</c> has): its challenge. A 401 of the scheme carries
/// <c>WWW-Authenticate: &lt;keyword&gt; realm="&lt;realm&gt;"</c>, built here and nowhere else; a kind
/// without a keyword (sessions) has no challenge, and its 401s are answered 403, as DRF answers
/// when an authenticator's <c>authenticate_header</c> returns None.
/// </summary>
public abstract class CredentialSchemeOptions : AuthenticationSchemeOptions
{
    private static readonly SearchValues<char> NotInAToken = SearchValues.Create(" \t\r\n\"\\(),/:;<=>?@[]{}");

    /// <summary>DRF's <c>www_authenticate_realm</c>: "api". Null: the keyword alone.</summary>
    public string? Realm { get; set; } = "api";

    /// <summary>
    /// The first word of the scheme's <c>WWW-Authenticate</c> (RFC 9110's auth-scheme), or null for a
    /// kind that has no challenge: JWT's header type, DRF tokens' keyword, <c>Basic</c>, <c>ApiKey</c>.
    /// </summary>
    public abstract string? ChallengeKeyword { get; }

    /// <summary>The <c>WWW-Authenticate</c> value of the scheme's 401s; null: none, and a 403 instead.</summary>
    public string? AuthenticateHeader
        => ChallengeKeyword is not { } keyword ? null : Realm is null ? keyword : $"{keyword} realm=\"{Realm}\"";

    /// <summary>What is wrong with these options, in words for the operator; empty when nothing is.</summary>
    public virtual IEnumerable<string> Problems()
    {
        if (ChallengeKeyword is { } keyword && (keyword.Length == 0 || keyword.AsSpan().ContainsAny(NotInAToken) || !IsVisibleAscii(keyword)))
            yield return $"The challenge keyword '{keyword}' is not an HTTP token (RFC 9110): one word of visible ASCII.";
        if (Realm is { } realm && (realm.Contains('"') || realm.Contains('\\') || !IsVisibleAscii(realm.Replace(" ", ""))))
            yield return $"{nameof(Realm)} '{realm}' must be printable ASCII without '\"' or '\\'.";
    }

    /// <summary>The handler's check (ASP.NET Core calls it when it builds one): <see cref="Problems"/>, as an exception.</summary>
    public override void Validate()
    {
        base.Validate();
        var problems = Problems().ToList();
        if (problems.Count > 0)
            throw new InvalidOperationException(string.Join(" ", problems));
    }

    private static bool IsVisibleAscii(string text)
    {
        foreach (var c in text)
            if (c is < '!' or > '~')
                return false;
        return true;
    }
}
