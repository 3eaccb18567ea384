using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Tessera.Core.Jwt;

namespace Tessera.ResourceServer;

/// <summary>
/// An app's hooks, as JwtBearerEvents: after a token is admitted (add claims, or refuse it with
/// <see cref="ResultContext{TOptions}.Fail(string)"/>), and before a refusal is written.
/// </summary>
public class TesseraResourceServerEvents
{
    /// <summary>A token was validated and admitted; its principal is <see cref="ResultContext{TOptions}.Principal"/>.</summary>
    public Func<TesseraTokenValidatedContext, Task> OnTokenValidated { get; set; } = _ => Task.CompletedTask;

    /// <summary>A 401 or 503 is about to be written; set <see cref="TesseraChallengeContext.Handled"/> after writing your own.</summary>
    public Func<TesseraChallengeContext, Task> OnChallenge { get; set; } = _ => Task.CompletedTask;

    public virtual Task TokenValidated(TesseraTokenValidatedContext context) => OnTokenValidated(context);

    public virtual Task Challenge(TesseraChallengeContext context) => OnChallenge(context);
}

/// <summary>The context of <see cref="TesseraResourceServerEvents.OnTokenValidated"/>.</summary>
public sealed class TesseraTokenValidatedContext(HttpContext context, AuthenticationScheme scheme, TesseraResourceServerOptions options, ValidatedToken token)
    : ResultContext<TesseraResourceServerOptions>(context, scheme, options)
{
    /// <summary>The token as validated: its claims (<see cref="ValidatedToken.Payload"/>), user, login and epoch.</summary>
    public ValidatedToken Token { get; } = token;
}

/// <summary>The context of <see cref="TesseraResourceServerEvents.OnChallenge"/>: what is about to be answered.</summary>
public sealed class TesseraChallengeContext(HttpContext context, AuthenticationScheme scheme, TesseraResourceServerOptions options, AuthenticationProperties properties, int status, string detail)
    : PropertiesContext<TesseraResourceServerOptions>(context, scheme, options, properties)
{
    /// <summary>401 (no or a refused token) or 503 (the revocation memory is not ready or too stale).</summary>
    public int Status { get; } = status;

    /// <summary>The <c>detail</c> of the JSON body about to be written.</summary>
    public string Detail { get; } = detail;

    /// <summary>Set when the app wrote the answer itself; the library then writes nothing.</summary>
    public bool Handled { get; private set; }

    public void HandleResponse() => Handled = true;
}
