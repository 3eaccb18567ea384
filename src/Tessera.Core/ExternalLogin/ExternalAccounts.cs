using System.Security.Cryptography;
using System.Text;
using Tessera.Core.Passwords;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Core.ExternalLogin;

/// <summary>
/// Which account a verified provider identity signs in to, and the rules of linking. Accounts are
/// found by (issuer, subject) alone. A first sign-in whose email a local account has is attached to
/// that account only when the provider verified the email and the account verified it too: otherwise
/// whoever controls a provider account with that address (or registered it locally first without
/// proving it) would take the account over. A new account gets an unusable password, a username made
/// from the email, and the email marked verified only if the provider says so.
/// </summary>
internal sealed class ExternalAccounts(IExternalIdentityStore identities, IUserStore users, AdmissionChanges changes, TimeProvider time)
{
    /// <summary>How many usernames a first sign-in tries before it gives up (each a random suffix after the first).</summary>
    private const int UsernameAttempts = 8;

    private const int UsernameBaseMaxLength = 30;

    /// <summary>The account the identity signs in to as things stand, or why none (see <see cref="ExternalAccountMatch"/>).</summary>
    public async Task<ExternalAccountMatch> FindAsync(ExternalIdentityClaims claims, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (await identities.FindAsync(claims.Issuer, claims.Subject, cancellationToken).ConfigureAwait(false) is { } linked)
        {
            return await users.FindByIdAsync(linked.UserId, cancellationToken).ConfigureAwait(false) is { } user
                ? ExternalAccountMatch.Linked(user)
                : ExternalAccountMatch.None; // deleted meanwhile: its identities went with it
        }
        if (string.IsNullOrEmpty(claims.Email))
            return ExternalAccountMatch.None;
        var email = UserNormalization.Email(claims.Email);
        var sameEmail = (await users.FindByEmailAsync(email, cancellationToken).ConfigureAwait(false))
            .Where(u => UserNormalization.SameAddress(u.Email, email)).ToList();
        if (sameEmail.Count == 0)
            return ExternalAccountMatch.None;
        var verified = sameEmail.Where(u => u.EmailVerified).ToList();
        return claims.EmailVerified && verified.Count == 1
            ? ExternalAccountMatch.SameVerifiedEmail(verified[0])
            : ExternalAccountMatch.EmailTaken;
    }

    /// <summary>
    /// A new, unsaved user of the app's type for a first sign-in: an unusable password, the provider's
    /// email (verified only if it says so; an address it did not verify receives no password reset until
    /// its owner proves it), its names, and a username to start from (<see cref="CreateAsync"/> makes it unique).
    /// </summary>
    public User NewUser(string provider, ExternalIdentityClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var user = users.NewUser();
        var email = claims.Email is { Length: > 0 and <= User.EmailMaxLength } e ? UserNormalization.Email(e) : "";
        user.Username = UsernameBase(provider, email);
        user.Email = email;
        user.EmailVerified = email.Length > 0 && claims.EmailVerified;
        user.EmailChangeUnverified = email.Length > 0 && !claims.EmailVerified;
        user.FirstName = Truncate(claims.GivenName, User.NameMaxLength);
        user.LastName = Truncate(claims.FamilyName, User.NameMaxLength);
        user.PasswordHash = DjangoPbkdf2Hasher.CreateUnusablePassword();
        user.DateJoined = time.GetUtcNow().UtcDateTime;
        return user;
    }

    /// <summary>
    /// Creates <paramref name="user"/> (from <see cref="NewUser"/>) with the identity linked, trying
    /// its username and then that name with a random number until one is free.
    /// <see cref="ExternalUserCreation.IdentityTaken"/>: a concurrent first sign-in of the same identity
    /// created its account; nothing was written: find it again.
    /// </summary>
    public async Task<ExternalUserCreation> CreateAsync(User user, string provider, ExternalIdentityClaims claims, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var baseName = UserNormalization.Username(user.Username);
        for (var attempt = 0; attempt < UsernameAttempts; attempt++)
        {
            user.Username = attempt == 0 ? baseName : baseName + RandomNumberGenerator.GetInt32((int)Math.Pow(10, 3 + attempt)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var outcome = await changes.CreateUserAsync(user, Identity(user.Id, provider, claims), cancellationToken).ConfigureAwait(false);
            if (outcome != ExternalUserCreation.UsernameTaken)
                return outcome;
        }
        throw new InvalidOperationException($"No free username near '{baseName}' after {UsernameAttempts} attempts.");
    }

    /// <summary>Links the identity to <paramref name="user"/> (its first sign-in matched the user's verified email); false when it was linked meanwhile.</summary>
    public Task<bool> AttachAsync(User user, string provider, ExternalIdentityClaims claims, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        return identities.AddAsync(Identity(user.Id, provider, claims), cancellationToken);
    }

    /// <summary>
    /// A signed-in user links the identity: <see cref="ExternalLinkResult.Linked"/>, or it was theirs
    /// already, or it belongs to another user, or they have another account of that provider linked.
    /// </summary>
    public async Task<(ExternalLinkResult Result, ExternalIdentity? Identity)> LinkAsync(long userId, string provider, ExternalIdentityClaims claims,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var identity = Identity(userId, provider, claims);
        if (await identities.AddAsync(identity, cancellationToken).ConfigureAwait(false))
            return (ExternalLinkResult.Linked, identity);
        if (await identities.FindAsync(claims.Issuer, claims.Subject, cancellationToken).ConfigureAwait(false) is { } existing)
            return (existing.UserId == userId ? ExternalLinkResult.AlreadyLinked : ExternalLinkResult.LinkedToAnotherUser, existing);
        return (ExternalLinkResult.ProviderLinkedAlready, null);
    }

    /// <summary>
    /// Unlinks the user's identity of <paramref name="provider"/>, unless it is the account's only way
    /// to sign in: no usable password and no other identity (<see cref="ExternalIdentityRemoval.Refused"/>).
    /// </summary>
    public Task<ExternalIdentityRemoval> UnlinkAsync(long userId, string provider, CancellationToken cancellationToken = default)
        => identities.RemoveAsync(userId, provider, static (user, linked) => user.HasUsablePassword || linked.Count > 1, cancellationToken);

    /// <summary>The user's linked identities.</summary>
    public Task<IReadOnlyList<ExternalIdentity>> ListAsync(long userId, CancellationToken cancellationToken = default)
        => identities.ListAsync(userId, cancellationToken);

    private ExternalIdentity Identity(long userId, string provider, ExternalIdentityClaims claims) => new()
    {
        UserId = userId,
        Provider = provider,
        Issuer = claims.Issuer,
        Subject = claims.Subject,
        Email = claims.Email is { Length: <= User.EmailMaxLength } email ? email : "",
        LinkedAt = time.GetUtcNow().UtcDateTime,
    };

    /// <summary>The email's local part in the characters a username may hold (Django's <c>[\w.@+-]</c>), else the provider's name.</summary>
    internal static string UsernameBase(string provider, string email)
    {
        var local = email.Length > 0 ? email[..Math.Max(0, email.LastIndexOf('@'))] : "";
        var name = new StringBuilder();
        foreach (var c in local.Normalize(NormalizationForm.FormKC))
        {
            if (name.Length >= UsernameBaseMaxLength)
                break;
            if (char.IsLetterOrDigit(c) || c is '_' or '.' or '+' or '-')
                name.Append(c);
        }
        if (name.Length > 0)
            return name.ToString();
        foreach (var c in provider)
            if (name.Length < UsernameBaseMaxLength && (char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
                name.Append(c);
        return name.Length > 0 ? name.ToString() : "user";
    }

    private static string Truncate(string? value, int max) => value is null ? "" : value.Length <= max ? value : value[..max];
}

/// <summary>The account an external identity signs in to (<see cref="ExternalAccounts.FindAsync"/>).</summary>
internal sealed class ExternalAccountMatch
{
    private ExternalAccountMatch(ExternalAccountMatchKind kind, User? user) => (Kind, User) = (kind, user);

    public ExternalAccountMatchKind Kind { get; }

    /// <summary>The account, for <see cref="ExternalAccountMatchKind.Linked"/> and <see cref="ExternalAccountMatchKind.SameVerifiedEmail"/>.</summary>
    public User? User { get; }

    internal static ExternalAccountMatch None { get; } = new(ExternalAccountMatchKind.None, null);

    internal static ExternalAccountMatch EmailTaken { get; } = new(ExternalAccountMatchKind.EmailTaken, null);

    internal static ExternalAccountMatch Linked(User user) => new(ExternalAccountMatchKind.Linked, user);

    internal static ExternalAccountMatch SameVerifiedEmail(User user) => new(ExternalAccountMatchKind.SameVerifiedEmail, user);
}

internal enum ExternalAccountMatchKind
{
    /// <summary>No account: a first sign-in creates one.</summary>
    None,

    /// <summary>The identity is linked to the account.</summary>
    Linked,

    /// <summary>Not linked, but the provider's verified email is the verified email of exactly one account: attach to it.</summary>
    SameVerifiedEmail,

    /// <summary>Not linked, and an account has the email, but one of the two did not verify it: refuse (409), sign in and link instead.</summary>
    EmailTaken,
}

/// <summary>What <see cref="ExternalAccounts.LinkAsync"/> did.</summary>
internal enum ExternalLinkResult
{
    Linked,
    AlreadyLinked,
    LinkedToAnotherUser,
    ProviderLinkedAlready,
}
