namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// Why a request was refused, for the operator's log (<see cref="AuthenticationLog"/>) and the app's
/// <see cref="Events.TesseraEvents.OnChallenge"/>: never the client's answer, which keeps DRF's words.
/// </summary>
public enum RefusalReason
{
    /// <summary>No credential of any kind where one is required: the first scheme's challenge.</summary>
    NoCredentials,

    /// <summary>The credential's header is not the scheme's shape (no token, spaces, bad base64).</summary>
    MalformedCredentials,

    /// <summary>A token, key or password that the scheme does not know or that does not match.</summary>
    InvalidCredentials,

    /// <summary>A JWT whose signature does not verify with the signing key.</summary>
    BadSignature,

    /// <summary>A token past its expiry.</summary>
    Expired,

    /// <summary>A login that was revoked (logout, blacklist, revoke-all, reuse detection).</summary>
    LoginRevoked,

    /// <summary>A login of a user that is inactive (deactivated).</summary>
    UserInactive,

    /// <summary>A login of a user that does not exist (deleted).</summary>
    UserNotFound,

    /// <summary>The app's admission rule (<c>OnAdmitting</c>) refused the user.</summary>
    RefusedByRule,

    /// <summary>A session on an unsafe method without a valid CSRF token or from an untrusted origin.</summary>
    CsrfFailed,

    /// <summary>Basic's password check refused by the login protection (429).</summary>
    Throttled,

    /// <summary>An authenticated user the endpoint's policy does not allow (403).</summary>
    PolicyDenied,

    /// <summary>A scoped credential (an API key with scopes) on an endpoint that accepts none of them (403).</summary>
    ScopeNotAccepted,
}
