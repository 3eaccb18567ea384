using System.Text.Encodings.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.ApiKeys;

/// <summary>The <see cref="ApiKeyCredentialScheme"/> as the ASP.NET Core scheme <see cref="TesseraSchemes.ApiKey"/>.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyCredentialScheme credentials, CredentialAuthentication authentication)
    : TesseraAuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder, credentials, authentication);
