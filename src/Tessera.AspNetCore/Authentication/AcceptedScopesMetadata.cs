using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// The scopes an endpoint accepts from a scoped credential (<see cref="AcceptedScopesExtensions.AcceptScopes{TBuilder}"/>).
/// Read by <see cref="CredentialAuthentication"/>, the one step every credential of every pipeline
/// goes through: a scoped credential is admitted only where the endpoint accepts one of its scopes.
/// </summary>
internal sealed class AcceptedScopesMetadata(IReadOnlyList<string> scopes)
{
    public IReadOnlyList<string> Scopes { get; } = scopes;

    /// <summary>Whether <paramref name="endpoint"/> accepts one of <paramref name="granted"/>.</summary>
    public static bool Admits(Endpoint? endpoint, IReadOnlyList<string> granted)
    {
        if (endpoint is null)
            return false;
        foreach (var accepted in endpoint.Metadata.GetOrderedMetadata<AcceptedScopesMetadata>())
            foreach (var scope in accepted.Scopes)
                for (var i = 0; i < granted.Count; i++)
                    if (string.Equals(granted[i], scope, StringComparison.Ordinal))
                        return true;
        return false;
    }
}

public static class AcceptedScopesExtensions
{
    /// <summary>
    /// Lets a scoped credential (an API key created with <c>scopes</c>) in on these endpoints when it
    /// carries one of <paramref name="scopes"/>. Scoped credentials are refused (403) on every endpoint
    /// that does not say so. It grants nothing by itself: the endpoint's policy still decides (the
    /// principal carries a <see cref="AuthenticatedUser.ScopeClaim"/> claim per scope), and ordinary
    /// credentials are not affected.
    /// </summary>
    public static TBuilder AcceptScopes<TBuilder>(this TBuilder builder, params string[] scopes) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(scopes);
        return builder.WithMetadata(new AcceptedScopesMetadata([.. scopes]));
    }
}
