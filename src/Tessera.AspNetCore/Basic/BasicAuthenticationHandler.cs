using System.Text.Encodings.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Basic;

/// <summary>The <see cref="BasicCredentialScheme"/> as the ASP.NET Core scheme <see cref="TesseraSchemes.Basic"/>.</summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<BasicAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder, BasicCredentialScheme credentials, CredentialAuthentication authentication)
    : TesseraAuthenticationHandler<BasicAuthenticationOptions>(options, logger, encoder, credentials, authentication);
