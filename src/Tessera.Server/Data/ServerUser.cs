using Tessera.Core.Users;

namespace Tessera.Server.Data;

/// <summary>
/// The server's user: Django's fields (<see cref="User"/>) plus the seed app's own, as its
/// <c>AUTH_USER_MODEL</c> had them. Premium users hold the <see cref="PremiumRole"/> role in their
/// snapshot, so <c>/api/premium/</c> follows a change on the very next request.
/// </summary>
public sealed class ServerUser : User
{
    public const int PhoneNumberMaxLength = 32;
    public const string PremiumRole = "premium";
    public const string IsPremiumPolicy = "IsPremium";

    private static readonly IReadOnlySet<string> Premium = new HashSet<string> { PremiumRole };

    public string? PhoneNumber { get; set; }
    public DateOnly? DateOfBirth { get; set; }
    public bool IsPremium { get; set; }

    public override UserSnapshot ToSnapshot() => IsPremium ? base.ToSnapshot() with { Roles = Premium } : base.ToSnapshot();
}
