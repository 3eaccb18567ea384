namespace Tessera.Core.ExternalLogin;

/// <summary>
/// An account of an OpenID Connect provider linked to a user: keyed by (<see cref="Issuer"/>,
/// <see cref="Subject"/>), the provider's stable and unique name for the account, never by its email
/// (an email claim can change hands, or be set by whoever controls a directory: "nOAuth"). A user has
/// at most one identity per provider.
/// </summary>
public sealed class ExternalIdentity
{
    public const int ProviderMaxLength = 64;
    public const int IssuerMaxLength = 256;
    public const int SubjectMaxLength = 255;

    public long Id { get; set; }

    public long UserId { get; set; }

    /// <summary>The configured provider's name (<c>Tessera:ExternalLogin:Providers:&lt;name&gt;</c>).</summary>
    public required string Provider { get; set; }

    /// <summary>The ID token's <c>iss</c>, in the provider's canonical spelling (Google has two).</summary>
    public required string Issuer { get; set; }

    /// <summary>The ID token's <c>sub</c>.</summary>
    public required string Subject { get; set; }

    /// <summary>The email the provider gave when the identity was linked, for the user's list; never used to find it.</summary>
    public string Email { get; set; } = "";

    public DateTime LinkedAt { get; set; }
}
