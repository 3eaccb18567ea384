using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Core.Admission;
using Tessera.AspNetCore.Passwords;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Basic;

/// <summary>
/// DRF's BasicAuthentication: <c>Authorization: Basic base64(username:password)</c>, checked on every
/// request like a login (same hashing pool, same timing for unknown users), with DRF's messages.
/// </summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PasswordLogin login)
    : TesseraAuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly AuthFailure Invalid = AuthFailure.Detail("Invalid username/password.");

    protected override string AuthenticateHeader => "Basic realm=\"api\"";

    protected override async ValueTask<ProofResult> ProveAsync()
    {
        var parts = AuthorizationHeader.Split(Request, "Basic");
        if (parts is null)
            return ProofResult.NoCredentials;
        if (parts.Length == 1)
            return ProofResult.Fail(AuthFailure.Detail("Invalid basic header. No credentials provided."));
        if (parts.Length > 2)
            return ProofResult.Fail(AuthFailure.Detail("Invalid basic header. Credentials string should not contain spaces."));
        if (!TryDecode(parts[1], out var username, out var password))
            return ProofResult.Fail(AuthFailure.Detail("Invalid basic header. Credentials not correctly base64 encoded."));

        var attempt = await login.SignInAsync(Context, username, password).ConfigureAwait(false);
        if (attempt.Refused is { } refused)
            return ProofResult.Fail(AuthFailure.From(refused));
        return attempt.Value is not { } user
            ? ProofResult.Fail(Invalid)
            // The epoch its password check read: a password change committed during the hash still refuses it.
            : ProofResult.Proven(new LoginProof(user.Id, TesseraSchemes.Basic, null, Epoch: user.RevocationEpoch));
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
