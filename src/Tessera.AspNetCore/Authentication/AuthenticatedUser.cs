using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Tessera.Core.Admission;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Authentication;

/// <summary>The admitted user of a request, with the login and the credential that proved it.</summary>
public sealed record AuthenticatedUser(UserSnapshot User, LoginProof Login, object? Credential)
{
    public const string StaffRole = "staff";
    public const string SuperuserRole = "superuser";
    public const string PremiumRole = "premium";

    public ClaimsPrincipal ToClaimsPrincipal(string authenticationType)
    {
        var identity = new ClaimsIdentity(authenticationType, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, User.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(ClaimTypes.Name, User.Username));
        if (User.IsStaff) identity.AddClaim(new Claim(ClaimTypes.Role, StaffRole));
        if (User.IsSuperuser) identity.AddClaim(new Claim(ClaimTypes.Role, SuperuserRole));
        if (User.IsPremium) identity.AddClaim(new Claim(ClaimTypes.Role, PremiumRole));
        return new ClaimsPrincipal(identity);
    }
}

public static class AuthenticatedUserHttpContextExtensions
{
    /// <summary>The admitted user; only call it on endpoints that require authentication.</summary>
    public static AuthenticatedUser GetTesseraUser(this HttpContext context)
        => context.Features.Get<AuthenticatedUser>()
           ?? throw new InvalidOperationException("No authenticated Tessera user: the endpoint must require authorization.");
}
