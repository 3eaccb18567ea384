using Tessera.AspNetCore.Throttling;
using Tessera.Core.Throttling;

namespace Tessera.AspNetCore.AccountRecovery;

/// <summary>
/// How often one email address may be sent account mail, whoever asks (a scope of
/// <c>Tessera:Throttling:Rates</c>, counted in the shared <see cref="IRateLimitStore"/>), so nobody
/// can flood someone's inbox from many addresses. Past it the endpoint answers as always and
/// nothing is mailed: a 429 would be no leak (it is counted alike for addresses with and without
/// an account) but it would let anyone lock a user out of recovery by asking for them first.
/// </summary>
internal sealed class TargetEmailThrottle(ThrottleRates rates, IRateLimitStore store)
{
    /// <summary>Per target email, for password resets.</summary>
    public const string PasswordResetScope = "password_reset_email";

    /// <summary>
    /// Per target email, for every verification mail, whoever asked (by address without signing in,
    /// a signed-in user, an email change, a registration): taken by <see cref="AccountMailComposer"/>
    /// for each mail it is about to send, one allowance per address.
    /// </summary>
    public const string VerificationScope = "email_verify_email";

    /// <summary>Takes one from the address's allowance; false when it is spent (or the scope is off: then always true).</summary>
    public async ValueTask<bool> TryAcquireAsync(string scope, string email, CancellationToken cancellationToken)
    {
        if (!rates.IsConfigured(scope) || rates.Get(scope) is not { } limit)
            return true;
        var decision = await store.AcquireAsync($"throttle_{scope}_{email.ToLowerInvariant()}", limit, cancellationToken).ConfigureAwait(false);
        return decision.Allowed;
    }
}
