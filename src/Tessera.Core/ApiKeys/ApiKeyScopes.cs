namespace Tessera.Core.ApiKeys;

/// <summary>
/// The scopes an API key may be limited to (<see cref="ApiKey.Scopes"/>). A scoped key is
/// least-privilege: it is admitted only by endpoints that accept one of its scopes, and refused
/// (403) everywhere else; an ordinary key (no scopes) acts as its user everywhere.
/// </summary>
public static class ApiKeyScopes
{
    /// <summary>Reads the revocation stream (<c>GET /api/revocations/stream</c>) of a resource service; staff only may create such a key.</summary>
    public const string RevocationsRead = "revocations:read";

    /// <summary>Every scope a key may be created with.</summary>
    public static IReadOnlyList<string> Known { get; } = [RevocationsRead];

    /// <summary>The scopes only a staff user may put on a key.</summary>
    internal static bool NeedsStaff(string scope) => scope == RevocationsRead;

    /// <summary>The space-separated column as a list (RFC 6749 §3.3's form).</summary>
    internal static string[] Parse(string scopes)
        => scopes.Length == 0 ? [] : scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
