using Microsoft.AspNetCore.Builder;

namespace Tessera.AspNetCore.Authentication;

/// <summary>
/// Marks a logout endpoint: a login that was already revoked may still call it (it can do nothing
/// else there), so a second logout with the same tokens answers like the first instead of 401.
/// </summary>
internal sealed class AllowRevokedLoginMetadata
{
    public static AllowRevokedLoginMetadata Instance { get; } = new();
}

public static class AllowRevokedLoginExtensions
{
    public static TBuilder AllowRevokedLogin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(AllowRevokedLoginMetadata.Instance);
}
