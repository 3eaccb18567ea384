using Tessera.Core.ExternalLogin;

namespace Tessera.AspNetCore.ExternalLogin;

/// <summary>Why an ID token was not accepted.</summary>
internal enum IdTokenFailure
{
    None,

    /// <summary>The token is not a valid ID token of this provider for this app: the client's fault (400).</summary>
    Invalid,

    /// <summary>The provider's keys could not be read, so the token could not be checked: try later (503).</summary>
    Unavailable,
}

/// <summary>The outcome of <see cref="ExternalProvider.ValidateAsync"/>.</summary>
/// <param name="Claims">What the token says, when it passed.</param>
/// <param name="Failure">Why it did not.</param>
/// <param name="Reason">For the log: which check failed (never the token itself).</param>
internal readonly record struct IdTokenValidation(ExternalIdentityClaims? Claims, IdTokenFailure Failure, string? Reason)
{
    public bool Succeeded => Failure == IdTokenFailure.None;

    public static IdTokenValidation Valid(ExternalIdentityClaims claims) => new(claims, IdTokenFailure.None, null);

    public static IdTokenValidation Invalid(string reason) => new(null, IdTokenFailure.Invalid, reason);

    public static IdTokenValidation Unavailable(string reason) => new(null, IdTokenFailure.Unavailable, reason);
}
