using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Tessera.Core.Admission;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// One of Tessera's credential kinds, shared by every request (a singleton): it finds the kind's
/// credential in a request and proves it, step 1 of ARCHITECTURE.md's "one idea";
/// <see cref="CredentialAuthentication"/> adds step 2, the gate. The scheme chain calls it directly,
/// so a request costs no handler built per scheme; <see cref="TesseraAuthenticationHandler{TOptions}"/>
/// serves the same kind to code that names the scheme (<c>AuthenticateAsync("jwt")</c>, challenges).
/// </summary>
internal interface ICredentialScheme
{
    /// <summary>The scheme's name (<see cref="TesseraSchemes"/>).</summary>
    string Name { get; }

    /// <summary>
    /// Whether the request could carry this kind's credential at all (JWT: an <c>Authorization</c>
    /// header whose first word is its keyword; sessions: the cookie; the API-key header), without
    /// allocating: the chain passes a scheme that says no, which would only have found nothing.
    /// </summary>
    bool CouldCarry(HttpRequest request);

    /// <summary>Turns the credential into a login, or says there is none, or refuses it.</summary>
    ValueTask<ProofResult> ProveAsync(HttpContext context);

    /// <summary>The scheme's words for a login the gate turned away.</summary>
    AuthFailure DescribeRejection(AdmissionRejection rejection);

    /// <summary>
    /// The <c>WWW-Authenticate</c> value of this scheme's 401s (<see cref="CredentialSchemeOptions.AuthenticateHeader"/>);
    /// null answers 403 instead, as DRF does.
    /// </summary>
    string? AuthenticateHeader { get; }
}

/// <summary>An <see cref="ICredentialScheme"/> configured by its authentication scheme's named options.</summary>
internal abstract class CredentialScheme<TOptions> : ICredentialScheme
    where TOptions : CredentialSchemeOptions
{
    private static readonly AuthFailure UserInactiveOrDeleted = AuthFailure.Detail("User inactive or deleted.", RefusalReason.UserInactive);

    private TOptions _options;
    private string? _authenticateHeader;

    protected CredentialScheme(string name, IOptionsMonitor<TOptions> options)
    {
        Name = name;
        _options = options.Get(name);
        _authenticateHeader = _options.AuthenticateHeader;
        // Read once, not per request (every probe of every request reads them); kept current if they are reloaded.
        options.OnChange((changed, changedName) =>
        {
            if (changedName != name)
                return;
            Volatile.Write(ref _authenticateHeader, changed.AuthenticateHeader);
            Volatile.Write(ref _options, changed);
        });
    }

    public string Name { get; }

    /// <summary>The scheme's options, as its handler sees them (bound, configured, post-configured).</summary>
    protected TOptions Options => Volatile.Read(ref _options);

    public abstract bool CouldCarry(HttpRequest request);

    public abstract ValueTask<ProofResult> ProveAsync(HttpContext context);

    /// <summary>DRF's own authenticators all say this.</summary>
    public virtual AuthFailure DescribeRejection(AdmissionRejection rejection) => UserInactiveOrDeleted;

    /// <summary>Its options' challenge, built once (and again when they are reloaded), not per refusal.</summary>
    public string? AuthenticateHeader => Volatile.Read(ref _authenticateHeader);
}
