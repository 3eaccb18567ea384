namespace Tessera.Core.Jwt;

/// <summary>
/// The live <see cref="JwsKeySet"/> of an app (one per app, a singleton), swapped atomically when
/// keys rotate. From the moment <see cref="Replace"/> returns, a key that left the set verifies
/// nothing: not new tokens, and not tokens <see cref="ValidatedTokenCache"/> remembered either.
/// </summary>
public sealed class JwsKeyRing
{
    private JwsKeySet _current;

    public JwsKeyRing(JwsKeySet initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
    }

    public JwsKeySet Current => Volatile.Read(ref _current);

    public void Replace(JwsKeySet next)
    {
        ArgumentNullException.ThrowIfNull(next);
        Volatile.Write(ref _current, next);
    }
}
