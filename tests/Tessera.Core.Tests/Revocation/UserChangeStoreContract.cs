using System.Security.Cryptography;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Tests.Contracts;

/// <summary>A stored credential kind, as the user-writes contract seeds and counts them.</summary>
public enum StoredCredentialKind { Session, OpaqueToken, ApiKey }

/// <summary>
/// What every <see cref="IUserChangeStore"/> must do for <see cref="AdmissionChanges"/>, run against
/// each store (the EF store in Tessera.Server.Tests, which links this file; an in-memory store in
/// Tessera.Core.Tests). The store offers persistence only; what a revoke-all, a password change or a
/// deactivation purges, what the epoch does and how names are normalised is decided by the owner, so
/// it holds with both. Every write commits exactly its changes, and publishes exactly those.
/// </summary>
public abstract class UserChangeStoreContract
{
    private readonly List<AdmissionChange> _published = new();
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    /// <summary>The user writes on the store under test; each call may be a new unit of work (a new scope).</summary>
    protected abstract IUserChangeStore CreateStore();

    /// <summary>The change feed on the same store.</summary>
    protected abstract IAdmissionChangeFeedStore CreateFeed();

    /// <summary>A new, unsaved user of the store's user type.</summary>
    protected abstract User NewUser(string username, string email);

    protected abstract Task AddCredentialAsync(StoredCredentialKind kind, long userId, string keyHash, long createdAt);

    /// <summary>The key hashes of the user's credentials of that kind still stored.</summary>
    protected abstract Task<IReadOnlyList<string>> CredentialsAsync(StoredCredentialKind kind, long userId);

    protected abstract Task<string?> PasswordHashAsync(long userId);

    private AdmissionChanges Owner() => new(CreateStore(), new RecordingBus(_published));

    [Fact]
    public async Task Of_two_concurrent_password_changes_from_one_epoch_one_wins_and_the_other_writes_nothing()
    {
        var userId = await CreateUserAsync();
        await AddCredentialAsync(StoredCredentialKind.Session, userId, NewKeyHash(), _now.ToUnixTimeSeconds());
        var before = await LastEventIdAsync();

        var results = await Task.WhenAll(
            Task.Run(() => Owner().ChangePasswordAsync(userId, 0, "hash-a", _now)),
            Task.Run(() => Owner().ChangePasswordAsync(userId, 0, "hash-b", _now)));

        var won = Assert.Single(results, r => r is not null);
        Assert.Equal(1, won);
        var winner = results[0] is not null ? "hash-a" : "hash-b";
        Assert.Equal(winner, await PasswordHashAsync(userId));
        Assert.Equal(1, (await UserAsync(userId)).RevocationEpoch);
        Assert.Empty(await CredentialsAsync(StoredCredentialKind.Session, userId));
        await AssertCommittedExactlyPublishedAsync(before, (AdmissionChangeKind.UserChanged, userId));
    }

    [Fact]
    public async Task A_password_change_from_a_stale_epoch_writes_nothing()
    {
        var userId = await CreateUserAsync();
        Assert.Equal(1, await Owner().ChangePasswordAsync(userId, 0, "current", _now));
        var session = NewKeyHash();
        await AddCredentialAsync(StoredCredentialKind.Session, userId, session, _now.ToUnixTimeSeconds());
        var before = await LastEventIdAsync();
        _published.Clear();

        Assert.Null(await Owner().ChangePasswordAsync(userId, 0, "stale", _now.AddSeconds(1)));

        Assert.Equal("current", await PasswordHashAsync(userId));
        var user = await UserAsync(userId);
        Assert.Equal(1, user.RevocationEpoch);
        Assert.Equal(_now.ToUnixTimeMilliseconds() + 1, user.RevokedBeforeMs);
        Assert.Equal([session], await CredentialsAsync(StoredCredentialKind.Session, userId));
        await AssertCommittedExactlyPublishedAsync(before);
    }

    [Fact]
    public async Task Revoke_all_moves_the_epoch_and_purges_sessions_and_DRF_tokens_but_keeps_API_keys()
    {
        var userId = await CreateUserAsync();
        var (_, _, key) = await AddOneOfEachAsync(userId);
        var before = await LastEventIdAsync();

        await Owner().RevokeAllAsync(userId, _now);

        Assert.Empty(await CredentialsAsync(StoredCredentialKind.Session, userId));
        Assert.Empty(await CredentialsAsync(StoredCredentialKind.OpaqueToken, userId));
        Assert.Equal([key], await CredentialsAsync(StoredCredentialKind.ApiKey, userId));
        var user = await UserAsync(userId);
        Assert.Equal(1, user.RevocationEpoch);
        Assert.Equal(_now.ToUnixTimeMilliseconds() + 1, user.RevokedBeforeMs);
        await AssertCommittedExactlyPublishedAsync(before, (AdmissionChangeKind.UserChanged, userId));
    }

    [Fact]
    public async Task Deactivation_deletes_API_keys_and_revokes_their_logins_and_moves_the_epoch()
    {
        var userId = await CreateUserAsync();
        var createdAt = _now.ToUnixTimeSeconds();
        string[] keys = [NewKeyHash(), NewKeyHash()];
        foreach (var key in keys)
            await AddCredentialAsync(StoredCredentialKind.ApiKey, userId, key, createdAt);
        var before = await LastEventIdAsync();

        Assert.True(await Owner().SetUserFlagsAsync(userId, new UserFlags(IsActive: false), _now));

        Assert.Empty(await CredentialsAsync(StoredCredentialKind.ApiKey, userId));
        var user = await UserAsync(userId);
        Assert.False(user.IsActive);
        Assert.Equal(1, user.RevocationEpoch);
        Assert.Equal(_now.ToUnixTimeMilliseconds() + 1, user.RevokedBeforeMs);
        var logins = keys.Select(k => LoginId.OfStoredCredential(k, createdAt)).ToHashSet();
        var revoked = (await CreateFeed().LoadAsync(_now)).RevokedLogins.Select(r => r.Login).ToHashSet();
        Assert.Subset(revoked, logins);
        // The keys' revocations, then the user's change, last.
        var committed = await AssertCommittedExactlyPublishedAsync(before,
            (AdmissionChangeKind.LoginRevoked, userId), (AdmissionChangeKind.LoginRevoked, userId), (AdmissionChangeKind.UserChanged, userId));
        Assert.Equal(logins, committed.Take(2).Select(e => LoginId.TryParse(e.LoginId, out var l) ? l : default).ToHashSet());
    }

    [Fact]
    public async Task Setting_roles_writes_the_flags_and_one_change_and_ends_no_login()
    {
        var userId = await CreateUserAsync();
        var (session, token, key) = await AddOneOfEachAsync(userId);
        var before = await LastEventIdAsync();

        Assert.True(await Owner().SetUserFlagsAsync(userId, new UserFlags(IsStaff: true), _now));

        var user = await UserAsync(userId);
        Assert.True(user.IsStaff);
        Assert.True(user.IsActive);
        Assert.Equal(0, user.RevocationEpoch);
        Assert.Equal([session], await CredentialsAsync(StoredCredentialKind.Session, userId));
        Assert.Equal([token], await CredentialsAsync(StoredCredentialKind.OpaqueToken, userId));
        Assert.Equal([key], await CredentialsAsync(StoredCredentialKind.ApiKey, userId));
        await AssertCommittedExactlyPublishedAsync(before, (AdmissionChangeKind.UserChanged, userId));
    }

    [Fact]
    public async Task Flags_of_no_user_write_nothing()
    {
        var before = await LastEventIdAsync();

        Assert.False(await Owner().SetUserFlagsAsync(long.MaxValue - 1, new UserFlags(IsActive: false), _now));

        await AssertCommittedExactlyPublishedAsync(before);
    }

    [Fact]
    public async Task A_new_user_is_normalised_by_the_owner_and_a_taken_username_writes_nothing()
    {
        var raw = "\uFB01ona" + Unique(); // "ﬁ": NFKC makes it "fi", as Django's normalize_username
        var user = NewUser(raw, "Fiona@EXAMPLE.Test");
        var before = await LastEventIdAsync();

        Assert.True(await Owner().CreateUserAsync(user));

        var stored = await UserAsync(user.Id);
        Assert.Equal(UserNormalization.Username(raw), stored.Username);
        Assert.Equal("Fiona@example.test", stored.Email);
        await AssertCommittedExactlyPublishedAsync(before, (AdmissionChangeKind.UserChanged, user.Id));

        before = await LastEventIdAsync();
        _published.Clear();
        Assert.False(await Owner().CreateUserAsync(NewUser(raw, "other@example.test")));
        await AssertCommittedExactlyPublishedAsync(before);
    }

    [Fact]
    public async Task Email_verification_is_a_compare_and_swap()
    {
        var userId = await CreateUserAsync();
        var email = (await UserAsync(userId)).Email;
        var before = await LastEventIdAsync();

        Assert.False(await Owner().MarkEmailVerifiedAsync(userId, "someone-else@example.test"));
        Assert.True(await Owner().MarkEmailVerifiedAsync(userId, email));
        Assert.False(await Owner().MarkEmailVerifiedAsync(userId, email));

        Assert.True((await UserAsync(userId)).EmailVerified);
        await AssertCommittedExactlyPublishedAsync(before, (AdmissionChangeKind.UserChanged, userId));
    }

    [Fact]
    public async Task A_profile_change_that_refuses_writes_nothing()
    {
        var userId = await CreateUserAsync();
        var before = await LastEventIdAsync();

        Assert.False(await Owner().UpdateUserAsync(userId, u => { u.Email = "refused@example.test"; return Task.FromResult(false); }));
        Assert.True(await Owner().UpdateUserAsync(userId, u => { u.Email = "new@example.test"; return Task.FromResult(true); }));

        Assert.Equal("new@example.test", (await UserAsync(userId)).Email);
        await AssertCommittedExactlyPublishedAsync(before, (AdmissionChangeKind.UserChanged, userId));
    }

    [Fact]
    public async Task Deleting_a_user_removes_them_with_one_change()
    {
        var userId = await CreateUserAsync();
        var before = await LastEventIdAsync();

        await Owner().DeleteUserAsync(userId);

        Assert.Null(await CreateFeed().LoadUserAsync(userId));
        await AssertCommittedExactlyPublishedAsync(before, (AdmissionChangeKind.UserChanged, userId));
    }

    private async Task<long> CreateUserAsync()
    {
        var name = "contract" + Unique();
        var user = NewUser(name, name + "@example.test");
        Assert.True(await Owner().CreateUserAsync(user));
        _published.Clear();
        return user.Id;
    }

    private async Task<(string Session, string Token, string Key)> AddOneOfEachAsync(long userId)
    {
        var (session, token, key) = (NewKeyHash(), NewKeyHash(), NewKeyHash());
        await AddCredentialAsync(StoredCredentialKind.Session, userId, session, _now.ToUnixTimeSeconds());
        await AddCredentialAsync(StoredCredentialKind.OpaqueToken, userId, token, _now.ToUnixTimeSeconds());
        await AddCredentialAsync(StoredCredentialKind.ApiKey, userId, key, _now.ToUnixTimeSeconds());
        return (session, token, key);
    }

    private async Task<UserSnapshot> UserAsync(long userId)
        => await CreateFeed().LoadUserAsync(userId) ?? throw new InvalidOperationException($"No user {userId}.");

    private async Task<long> LastEventIdAsync() => (await CreateFeed().LoadAsync(_now)).LastEventId;

    /// <summary>
    /// The feed after <paramref name="before"/> holds exactly <paramref name="expected"/>, in order,
    /// and exactly what the owner published: nothing committed unpublished, nothing published uncommitted.
    /// </summary>
    private async Task<IReadOnlyList<AdmissionChange>> AssertCommittedExactlyPublishedAsync(long before, params (AdmissionChangeKind Kind, long UserId)[] expected)
    {
        var committed = await CreateFeed().ReadEventsAsync(before, 1000);
        Assert.Equal(expected, committed.Select(e => (e.Kind, e.UserId)).ToArray());
        Assert.Equal(committed.Select(e => e.Id), _published.Select(e => e.Id).Order());
        return committed;
    }

    private static string NewKeyHash() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static string Unique() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private sealed class RecordingBus(List<AdmissionChange> published) : IRevocationBus
    {
        public Task PublishAsync(AdmissionChange change, CancellationToken cancellationToken = default)
        {
            lock (published)
                published.Add(change);
            return Task.CompletedTask;
        }
    }
}
