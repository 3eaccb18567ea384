using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Admission;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Authentication;

/// <summary>The admitted user of a request, with what its scheme proved (the login, the epoch) and the credential itself.</summary>
public sealed record AuthenticatedUser(UserSnapshot User, CredentialProof Proof, object? Credential)
{
    public const string StaffRole = "staff";
    public const string SuperuserRole = "superuser";

    /// <summary>One claim per scope of a scoped credential (<see cref="CredentialProof.Scopes"/>), as OAuth names it.</summary>
    public const string ScopeClaim = "scope";

    public ClaimsPrincipal ToClaimsPrincipal(string authenticationType)
    {
        var identity = new ClaimsIdentity(authenticationType, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(Of(identity, ClaimTypes.NameIdentifier, User.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        identity.AddClaim(Of(identity, ClaimTypes.Name, User.Username));
        if (User.IsStaff) identity.AddClaim(Of(identity, ClaimTypes.Role, StaffRole));
        if (User.IsSuperuser) identity.AddClaim(Of(identity, ClaimTypes.Role, SuperuserRole));
        foreach (var role in User.Roles)
            identity.AddClaim(Of(identity, ClaimTypes.Role, role)); // the app's own (User.ToSnapshot)
        foreach (var scope in Proof.Scopes)
            identity.AddClaim(Of(identity, ScopeClaim, scope));
        return new ClaimsPrincipal(identity);
    }

    /// <summary>A claim made for its identity: one that names another subject, AddClaim copies.</summary>
    private static Claim Of(ClaimsIdentity identity, string type, string value)
        => new(type, value, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, identity);
}

public static class AuthenticatedUserHttpContextExtensions
{
    /// <summary>
    /// The admitted user. For a request that one of Tessera's schemes authenticated, the user it
    /// admitted; for one that an app's own scheme authenticated, the Tessera user its principal names
    /// (<see cref="ClaimTypes.NameIdentifier"/>), admitted by the same gate. Otherwise — no user, or
    /// one Tessera does not know or admit — a 403 (<see cref="NotATesseraUserException"/>), never a 500.
    /// </summary>
    public static AuthenticatedUser GetTesseraUser(this HttpContext context)
        => context.TryGetTesseraUser() ?? throw new NotATesseraUserException();

    /// <summary><see cref="GetTesseraUser"/>, or null instead of the 403.</summary>
    public static AuthenticatedUser? TryGetTesseraUser(this HttpContext context)
    {
        if (context.Features.Get<AuthenticatedUser>() is { } user)
            return user;
        if (context.User.Identity is not { IsAuthenticated: true } identity
            || !long.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var id))
            return null;
        var proof = new CredentialProof(id, identity.AuthenticationType ?? "app", ExpiresAt: null);
        var admission = context.RequestServices.GetRequiredService<AdmissionGate>().Admit(proof);
        if (!admission.IsAdmitted)
            return null;
        user = new AuthenticatedUser(admission.User!, proof, null);
        context.Features.Set(user);
        return user;
    }
}

/// <summary>
/// An endpoint asked for the Tessera user of a request that has none (an app's scheme decided for a
/// principal Tessera does not know or admit): answered 403, as DRF answers a permission denied.
/// </summary>
public sealed class NotATesseraUserException() : Exception("The request's user is not an admitted Tessera user.");
