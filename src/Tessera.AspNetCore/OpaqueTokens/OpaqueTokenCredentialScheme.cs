using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Credentials;
using Tessera.Core.Credentials;
using Tessera.Core.OpaqueTokens;

namespace Tessera.AspNetCore.OpaqueTokens;

/// <summary>DRF's TokenAuthentication: <c>Authorization: Token &lt;key&gt;</c>, looked up by its SHA-256, with DRF's messages.</summary>
internal sealed class OpaqueTokenCredentialScheme(IOptionsMonitor<OpaqueTokenAuthenticationOptions> options, RememberedCredentials remembered, TimeProvider time)
    : CredentialScheme<OpaqueTokenAuthenticationOptions>(TesseraSchemes.Token, options)
{
    private static readonly AuthFailure Invalid = AuthFailure.Detail("Invalid token.");

    public override bool CouldCarry(HttpRequest request) => AuthorizationHeader.FirstWordIs(request, Options.Keyword);

    public override async ValueTask<ProofResult> ProveAsync(HttpContext context)
    {
        var parts = AuthorizationHeader.Split(context.Request, Options.Keyword);
        if (parts is null)
            return ProofResult.NoCredentials;
        if (parts.Count == 1)
            return ProofResult.Fail(AuthFailure.Detail("Invalid token header. No credentials provided.", RefusalReason.MalformedCredentials));
        if (parts.Count > 2)
            return ProofResult.Fail(AuthFailure.Detail("Invalid token header. Token string should not contain spaces.", RefusalReason.MalformedCredentials));
        var key = parts[1];
        if (!OpaqueTokenKeys.IsWellFormed(key))
            return ProofResult.Fail(Invalid);
        var found = await remembered.FindAsync<IOpaqueTokenStore, OpaqueToken>(OpaqueTokenKeys.Format, key, context, time).ConfigureAwait(false);
        return found is null ? ProofResult.Fail(Invalid) : ProofResult.Proven(found.ToProof(TesseraSchemes.Token), found.Row);
    }
}
