namespace Tessera.AspNetCore.Authorization;

/// <summary>Authorization policy names, after DRF's permission classes; <c>AddTessera</c> registers them.</summary>
public static class TesseraPolicies
{
    /// <summary>DRF's IsAdminUser: the user is staff.</summary>
    public const string IsAdminUser = "IsAdminUser";

    /// <summary>DRF's IsAuthenticatedOrReadOnly: anyone may read (GET, HEAD, OPTIONS); only an authenticated user may change.</summary>
    public const string IsAuthenticatedOrReadOnly = "IsAuthenticatedOrReadOnly";

    /// <summary>
    /// DRF's IsOwnerOrReadOnly, as a resource-based policy: <c>IAuthorizationService.AuthorizeAsync(user,
    /// resource, IsOwnerOrReadOnly)</c> with an <see cref="IOwnedResource"/> succeeds for a safe method
    /// or for its owner.
    /// </summary>
    public const string IsOwnerOrReadOnly = "IsOwnerOrReadOnly";
}
