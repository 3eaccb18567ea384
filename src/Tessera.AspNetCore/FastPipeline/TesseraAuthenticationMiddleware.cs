using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Tessera.AspNetCore.Authentication;

namespace Tessera.AspNetCore.FastPipeline;

/// <summary>
/// ASP.NET Core's <c>UseAuthentication()</c>, with the one difference that matters per request: when
/// the default scheme is Tessera's chain, the chain is called directly, not through
/// <see cref="IAuthenticationService"/>, which would build a handler for the chain and one for each
/// scheme it asks, each from the request's services. What it sets is what the stock middleware sets
/// (<see cref="IAuthenticationFeature"/>, <c>HttpContext.User</c>, <see cref="IAuthenticateResultFeature"/>),
/// the app's <see cref="IClaimsTransformation"/> applies, and remote handlers (an external sign-in's
/// callback) get the request first, as they do there. Any other default scheme goes the stock way.
/// </summary>
internal sealed class TesseraAuthenticationMiddleware(RequestDelegate next, IAuthenticationSchemeProvider schemes, SchemeChain chain)
{
    public async Task InvokeAsync(HttpContext context)
    {
        context.Features.Set<IAuthenticationFeature>(new AuthenticationFeature
        {
            OriginalPath = context.Request.Path,
            OriginalPathBase = context.Request.PathBase,
        });
        IAuthenticationHandlerProvider? handlers = null; // resolved only when a remote handler exists
        foreach (var scheme in await schemes.GetRequestHandlerSchemesAsync().ConfigureAwait(false))
        {
            handlers ??= context.RequestServices.GetRequiredService<IAuthenticationHandlerProvider>();
            if (await handlers.GetHandlerAsync(context, scheme.Name).ConfigureAwait(false) is IAuthenticationRequestHandler handler
                && await handler.HandleRequestAsync().ConfigureAwait(false))
                return;
        }

        var defaultScheme = await schemes.GetDefaultAuthenticateSchemeAsync().ConfigureAwait(false);
        AuthenticateResult? result = null;
        if (defaultScheme?.Name == TesseraSchemes.Default)
        {
            var decided = await chain.AuthenticateAsync(context).ConfigureAwait(false);
            // An app's scheme was asked through the authentication service, which transformed its principal already.
            result = chain.IsCredentialScheme(decided.DecidingScheme) ? await TransformAsync(context, decided.Result).ConfigureAwait(false) : decided.Result;
        }
        else if (defaultScheme is not null)
            result = await context.AuthenticateAsync(defaultScheme.Name).ConfigureAwait(false);

        if (result?.Principal is { } principal)
            context.User = principal;
        if (result is { Succeeded: true })
        {
            var features = new AuthenticationResultFeatures(result);
            context.Features.Set<IHttpAuthenticationFeature>(features);
            context.Features.Set<IAuthenticateResultFeature>(features);
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>What <see cref="AuthenticationService"/> does with a success: the app's claims transformation, if it has one.</summary>
    private static async ValueTask<AuthenticateResult> TransformAsync(HttpContext context, AuthenticateResult result)
    {
        if (!result.Succeeded || context.RequestServices.GetService<IClaimsTransformation>() is not { } transformation || transformation is NoopClaimsTransformation)
            return result;
        var principal = await transformation.TransformAsync(result.Principal!).ConfigureAwait(false);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, result.Properties, result.Ticket!.AuthenticationScheme));
    }
}
