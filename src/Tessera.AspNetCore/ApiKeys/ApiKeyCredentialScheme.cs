using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;
using Tessera.AspNetCore.Credentials;
using Tessera.Core.Admission;
using Tessera.Core.ApiKeys;
using Tessera.Core.Credentials;

namespace Tessera.AspNetCore.ApiKeys;

/// <summary><c>X-API-Key: tk_…</c> for services: looked up by its SHA-256; malformed keys cost no lookup.</summary>
internal sealed class ApiKeyCredentialScheme(IOptionsMonitor<ApiKeyAuthenticationOptions> options, RememberedCredentials remembered, TimeProvider time)
    : CredentialScheme<ApiKeyAuthenticationOptions>(TesseraSchemes.ApiKey, options)
{
    private static readonly AuthFailure Invalid = AuthFailure.Detail("Invalid API key");

    public override bool CouldCarry(HttpRequest request) => request.Headers.ContainsKey(Options.HeaderName);

    public override async ValueTask<ProofResult> ProveAsync(HttpContext context)
    {
        if (!context.Request.Headers.TryGetValue(Options.HeaderName, out var values))
            return ProofResult.NoCredentials;
        // The value exactly as sent (Kestrel has already dropped the header's optional SP/HTAB):
        // trimming Unicode whitespace would accept a key wrapped in characters no client sends.
        var presented = values.Count == 1 ? values[0] : null;
        if (!ApiKeyFormat.IsWellFormed(presented))
            return ProofResult.Fail(Invalid);
        var found = await remembered.FindAsync<IApiKeyStore, ApiKey>(ApiKeyFormat.Format, presented!, context, time).ConfigureAwait(false);
        return found is null ? ProofResult.Fail(Invalid) : ProofResult.Proven(found.ToProof(TesseraSchemes.ApiKey, ((ApiKey)found.Row).ScopeList()), found.Row);
    }

    public override AuthFailure DescribeRejection(AdmissionRejection rejection) => Invalid;
}
