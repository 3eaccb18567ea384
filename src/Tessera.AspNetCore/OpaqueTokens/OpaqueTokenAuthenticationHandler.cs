using System.Text.Encodings.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Core.Admission;
using Tessera.Core.Credentials;
using Tessera.AspNetCore.Credentials;
using Tessera.Core.OpaqueTokens;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.OpaqueTokens;

/// <summary>DRF's TokenAuthentication: <c>Authorization: Token &lt;key&gt;</c>, looked up by its SHA-256, with DRF's messages.</summary>
public sealed class OpaqueTokenAuthenticationHandler(
    IOptionsMonitor<OpaqueTokenAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    RememberedCredentials remembered,
    TimeProvider time)
    : TesseraAuthenticationHandler<OpaqueTokenAuthenticationOptions>(options, logger, encoder)
{
    private static readonly AuthFailure Invalid = AuthFailure.Detail("Invalid token.");

    protected override string AuthenticateHeader => Options.Keyword;

    protected override async ValueTask<ProofResult> ProveAsync()
    {
        var parts = AuthorizationHeader.Split(Request, Options.Keyword);
        if (parts is null)
            return ProofResult.NoCredentials;
        if (parts.Count == 1)
            return ProofResult.Fail(AuthFailure.Detail("Invalid token header. No credentials provided."));
        if (parts.Count > 2)
            return ProofResult.Fail(AuthFailure.Detail("Invalid token header. Token string should not contain spaces."));
        var key = parts[1];
        if (!OpaqueTokenKeys.IsWellFormed(key))
            return ProofResult.Fail(Invalid);
        var found = await remembered.FindAsync<IOpaqueTokenStore, OpaqueToken>(OpaqueTokenKeys.Format, key, Context, time).ConfigureAwait(false);
        return found is null ? ProofResult.Fail(Invalid) : ProofResult.Proven(found.ToProof(TesseraSchemes.Token), found.Row);
    }
}
