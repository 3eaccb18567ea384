using Tessera.Core.Credentials;

namespace Tessera.Core.Sessions;

/// <summary>Session keys as Django makes them: 32 characters of [a-z0-9] (about 165 bits).</summary>
public static class SessionKeys
{
    public const int Length = 32;

    public static string New() => OpaqueSecret.Generate(OpaqueSecret.LowerAlphanumeric, Length);

    /// <summary>Cheap shape check before any lookup, so junk cookies cost nothing.</summary>
    public static bool IsWellFormed(string? key)
        => key is { Length: Length } && key.AsSpan().IndexOfAnyExcept(OpaqueSecret.LowerAlphanumeric) < 0;
}
