using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.Core.Admission;
using Tessera.Core.Basic;
using Tessera.Core.Users;
using Tessera.AspNetCore.Passwords;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Basic;

/// <summary>
/// DRF's BasicAuthentication: <c>Authorization: Basic base64(username:password)</c>, checked like a
/// login (same hashing pool, same timing for unknown users, same brute-force protection), with DRF's
/// messages. A pair that passed is remembered for a while (<see cref="VerifiedPasswordCache"/>), so
/// only the first request of a client pays the hash; requests with the pair that come while it is
/// checked wait for that check instead of running their own.
/// </summary>
internal sealed class BasicCredentialScheme(
    IOptionsMonitor<BasicAuthenticationOptions> options,
    VerifiedPasswordCache verified,
    UserSnapshots users,
    TimeProvider time)
    : CredentialScheme<BasicAuthenticationOptions>(TesseraSchemes.Basic, options)
{
    private static readonly AuthFailure Invalid = AuthFailure.Detail("Invalid username/password.");

    public override bool CouldCarry(HttpRequest request) => AuthorizationHeader.FirstWordIs(request, "Basic");

    public override async ValueTask<ProofResult> ProveAsync(HttpContext context)
    {
        var parts = AuthorizationHeader.Split(context.Request, "Basic");
        if (parts is null)
            return ProofResult.NoCredentials;
        if (parts.Count == 1)
            return ProofResult.Fail(AuthFailure.Detail("Invalid basic header. No credentials provided.", RefusalReason.MalformedCredentials));
        if (parts.Count > 2)
            return ProofResult.Fail(AuthFailure.Detail("Invalid basic header. Credentials string should not contain spaces.", RefusalReason.MalformedCredentials));
        if (!TryDecode(parts[1], out var username, out var password))
            return ProofResult.Fail(AuthFailure.Detail("Invalid basic header. Credentials not correctly base64 encoded.", RefusalReason.MalformedCredentials));

        username = UserNormalization.Username(username);
        var now = time.GetUtcNow();
        if (verified.TryGet(username, password, now, out var userId, out var epoch))
        {
            // Still the state the remembered check read: the gate decides the rest, in memory.
            if (users.Find(userId) is { } user && user.RevocationEpoch == epoch)
                return ProofResult.Proven(new CredentialProof(userId, TesseraSchemes.Basic, null, Epoch: epoch));
            verified.Forget(username, password); // the password changed, or every login was ended: check again
        }

        // The sign-in (and its database context) only when the pair is not remembered, and one for
        // all the requests that bring the pair meanwhile: one hash, one login attempt.
        var attempt = await verified.CheckOnceAsync(username, password, async () =>
        {
            var login = context.RequestServices.GetRequiredService<ProtectedSignIn>();
            var checkedOnce = await login.SignInAsync(context, username, password).ConfigureAwait(false);
            if (checkedOnce is { Refused: null, Value: { } passed })
                verified.Remember(username, password, passed.Id, passed.RevocationEpoch, now);
            return checkedOnce;
        }, context.RequestAborted).ConfigureAwait(false);
        if (attempt.Refused is { } refused)
            return ProofResult.Fail(AuthFailure.From(refused));
        if (attempt.Value is not { } signedIn)
            return ProofResult.Fail(Invalid);
        // The epoch its password check read: a password change committed during the hash still refuses it.
        return ProofResult.Proven(new CredentialProof(signedIn.Id, TesseraSchemes.Basic, null, Epoch: signedIn.RevocationEpoch));
    }

    private static bool TryDecode(string encoded, out string username, out string password)
    {
        username = password = "";
        var bytes = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(encoded, bytes, out var written))
            return false;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        // Python's str.partition(':'): no colon means an empty password, which then fails to sign in.
        var colon = text.IndexOf(':');
        username = colon < 0 ? text : text[..colon];
        password = colon < 0 ? "" : text[(colon + 1)..];
        return true;
    }
}
