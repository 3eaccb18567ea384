using System.Text.Encodings.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Core.Admission;
using Tessera.Core.ApiKeys;
using Tessera.Core.Credentials;
using Tessera.AspNetCore.Credentials;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.ApiKeys;

/// <summary><c>X-API-Key: tk_…</c> for services: looked up by its SHA-256; malformed keys cost no lookup.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    RememberedCredentials remembered,
    TimeProvider time)
    : TesseraAuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    private static readonly AuthFailure Invalid = AuthFailure.Detail("Invalid API key");

    protected override string AuthenticateHeader => "ApiKey realm=\"api\"";

    protected override async ValueTask<ProofResult> ProveAsync()
    {
        if (!Request.Headers.TryGetValue(Options.HeaderName, out var values))
            return ProofResult.NoCredentials;
        // The value exactly as sent (Kestrel has already dropped the header's optional SP/HTAB):
        // trimming Unicode whitespace would accept a key wrapped in characters no client sends.
        var presented = values.Count == 1 ? values[0] : null;
        if (!ApiKeyFormat.IsWellFormed(presented))
            return ProofResult.Fail(Invalid);
        var found = await remembered.FindAsync<IApiKeyStore, ApiKey>(ApiKeyFormat.Format, presented!, Context, time).ConfigureAwait(false);
        return found is null ? ProofResult.Fail(Invalid) : ProofResult.Proven(found.ToProof(TesseraSchemes.ApiKey), found.Row);
    }

    protected override AuthFailure DescribeRejection(AdmissionRejection rejection) => Invalid;
}
