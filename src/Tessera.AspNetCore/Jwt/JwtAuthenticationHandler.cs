using System.Text.Encodings.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.Jwt;

/// <summary>The <see cref="JwtCredentialScheme"/> as the ASP.NET Core scheme <see cref="TesseraSchemes.Jwt"/>.</summary>
public sealed class JwtAuthenticationHandler(
    IOptionsMonitor<JwtAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder, JwtCredentialScheme credentials, CredentialAuthentication authentication)
    : TesseraAuthenticationHandler<JwtAuthenticationOptions>(options, logger, encoder, credentials, authentication);
