using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace Tessera.AspNetCore.FastPipeline;

/// <summary>
/// ASP.NET Core's pair of authentication features (its own type is internal): the result, and the
/// user it carries; set by both of Tessera's middlewares where the stock ones would set theirs.
/// </summary>
internal sealed class AuthenticationResultFeatures(AuthenticateResult result) : IHttpAuthenticationFeature, IAuthenticateResultFeature
{
    private AuthenticateResult? _result = result;
    private ClaimsPrincipal? _user = result.Principal;

    public AuthenticateResult? AuthenticateResult
    {
        get => _result;
        set
        {
            _result = value;
            _user = value?.Principal;
        }
    }

    public ClaimsPrincipal? User
    {
        get => _user;
        set
        {
            _result = null;
            _user = value;
        }
    }
}
