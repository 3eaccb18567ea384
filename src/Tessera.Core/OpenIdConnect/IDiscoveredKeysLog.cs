namespace Tessera.Core.OpenIdConnect;

/// <summary>
/// What <see cref="DiscoveredKeys"/> has to say, told to its user, which logs it under its own event
/// ids and words (Core takes no logging dependency).
/// </summary>
internal interface IDiscoveredKeysLog
{
    /// <summary>Discovery or the JWKS could not be read (<paramref name="reason"/> names the address and the fault).</summary>
    void FetchFailed(string reason);

    /// <summary>The JWKS was read: <paramref name="count"/> keys accepted.</summary>
    void KeysLoaded(int count);

    /// <summary>A refresh failed while keys were held: they stay in use.</summary>
    void StaleKeysKept();
}
