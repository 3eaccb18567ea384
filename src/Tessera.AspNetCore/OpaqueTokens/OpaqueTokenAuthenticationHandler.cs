using System.Text.Encodings.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.OpaqueTokens;

/// <summary>The <see cref="OpaqueTokenCredentialScheme"/> as the ASP.NET Core scheme <see cref="TesseraSchemes.Token"/>.</summary>
public sealed class OpaqueTokenAuthenticationHandler(
    IOptionsMonitor<OpaqueTokenAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder, OpaqueTokenCredentialScheme credentials, CredentialAuthentication authentication)
    : TesseraAuthenticationHandler<OpaqueTokenAuthenticationOptions>(options, logger, encoder, credentials, authentication);
