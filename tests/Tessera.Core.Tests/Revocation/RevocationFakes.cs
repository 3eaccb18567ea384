using Tessera.Core.Credentials;
using Tessera.Core.Revocation;
using Tessera.Core.Users;
using Tessera.Tests.Contracts;

namespace Tessera.Core.Tests.Revocation;

/// <summary>
/// The stores of the admission model in memory (<see cref="IUserChangeStore"/>, <see cref="IRefreshTokenLedger"/>,
/// <see cref="IAdmissionChangeFeedStore"/>): users, their credentials, revoked logins and the event feed,
/// one transaction at a time, each committing its writes and its events together, as the database does.
/// Persistence only, as a second store would be: every rule comes from <see cref="AdmissionChanges"/>. It records what was asked of
/// it so tests can tell a full reload from a catch-up, and the order events were read in.
/// </summary>
internal sealed class InMemoryRevocationStore : IUserChangeStore, IAdmissionChangeFeedStore, IRefreshTokenLedger
{
    private readonly object _gate = new();
    private readonly Dictionary<long, UserSnapshot> _users = new();
    private readonly Dictionary<LoginId, long> _revoked = new();
    private readonly List<AdmissionChange> _events = new();
    private long _nextEventId = 1;

    public int LoadCalls { get; private set; }
    public List<long> ReadAfterIds { get; } = new();
    public List<long> LoadUserCalls { get; } = new();

    public IReadOnlyList<AdmissionChange> Events { get { lock (_gate) return _events.ToList(); } }

    public long LastEventId { get { lock (_gate) return _events.Count == 0 ? 0 : _events[^1].Id; } }

    public UserSnapshot? User(long id) { lock (_gate) return _users.GetValueOrDefault(id); }

    public bool HasRevokedRow(LoginId login) { lock (_gate) return _revoked.ContainsKey(login); }

    // --- seeding, without events (as if the rows were there before the feed began) ---

    public void PutUser(UserSnapshot user) { lock (_gate) _users[user.Id] = user; }

    public void PutRevokedRow(LoginId login, long expiresAt) { lock (_gate) _revoked[login] = expiresAt; }

    /// <summary>Appends an event as written by someone else (another instance, the CLI).</summary>
    public AdmissionChange Append(AdmissionChangeKind kind, long userId, string? loginId = null, long expiresAt = 0)
    {
        lock (_gate)
        {
            var e = new AdmissionChange(_nextEventId++, kind, userId, loginId, expiresAt);
            _events.Add(e);
            return e;
        }
    }

    /// <summary>
    /// Takes the next event id for a transaction that has not committed (PostgreSQL's identity):
    /// later appends get higher ids and may commit first; <see cref="CommitReserved"/> commits it.
    /// </summary>
    public long ReserveEventId() { lock (_gate) return _nextEventId++; }

    /// <summary>Commits an event under an id taken by <see cref="ReserveEventId"/>, after later ones.</summary>
    public AdmissionChange CommitReserved(long id, AdmissionChangeKind kind, long userId, string? loginId = null, long expiresAt = 0)
    {
        lock (_gate)
        {
            if (kind == AdmissionChangeKind.LoginRevoked && LoginId.TryParse(loginId, out var login))
                _revoked[login] = expiresAt;
            var e = new AdmissionChange(id, kind, userId, loginId, expiresAt);
            _events.Add(e);
            _events.Sort((a, b) => a.Id.CompareTo(b.Id));
            return e;
        }
    }

    /// <summary>Forgets events, as the sweeper does after a day.</summary>
    public void SweepEvents() { lock (_gate) _events.Clear(); }

    // --- writes as another instance (or the CLI) makes them, each with its event ---

    /// <summary>A login revoked and its event committed, as another instance's logout would.</summary>
    public Task<AdmissionChange> RevokeLoginAsync(LoginId login, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var seconds = expiresAt.ToUnixTimeSeconds();
            _revoked[login] = _revoked.TryGetValue(login, out var old) ? Math.Max(old, seconds) : seconds;
            return Task.FromResult(Append(AdmissionChangeKind.LoginRevoked, userId, login.ToString(), seconds));
        }
    }

    /// <summary>Flags set (a deactivation moves the epoch on), with the user's event.</summary>
    public Task<IReadOnlyList<AdmissionChange>> SetUserFlagsAsync(long userId, UserFlags flags, long revokedBeforeMs)
    {
        lock (_gate)
        {
            if (!_users.TryGetValue(userId, out var user))
                return Task.FromResult<IReadOnlyList<AdmissionChange>>([]);
            _users[userId] = WithFlags(user, flags) with
            {
                RevocationEpoch = user.RevocationEpoch + (flags.IsActive == false ? 1 : 0),
                RevokedBeforeMs = flags.IsActive == false ? revokedBeforeMs : user.RevokedBeforeMs,
            };
            return Task.FromResult<IReadOnlyList<AdmissionChange>>([Append(AdmissionChangeKind.UserChanged, userId)]);
        }
    }

    public Task<AdmissionChange> DeleteUserAsync(long userId)
    {
        lock (_gate)
        {
            _users.Remove(userId);
            return Task.FromResult(Append(AdmissionChangeKind.UserChanged, userId));
        }
    }

    public Task<AdmissionChange> UserChangedAsync(long userId) => Task.FromResult(Append(AdmissionChangeKind.UserChanged, userId));

    private static UserSnapshot WithFlags(UserSnapshot user, UserFlags flags) => user with
    {
        IsActive = flags.IsActive ?? user.IsActive,
        IsStaff = flags.IsStaff ?? user.IsStaff,
        IsSuperuser = flags.IsSuperuser ?? user.IsSuperuser,
    };

    /// <summary>Commits an event reserved by a transaction; a second revocation of a login keeps the later expiry.</summary>
    private void CommitRevocationOrChange(AdmissionChange e)
    {
        if (LoginId.TryParse(e.LoginId, out var login) && _revoked.TryGetValue(login, out var old) && old > e.ExpiresAt)
            CommitReserved(e.Id, e.Kind, e.UserId, e.LoginId, old);
        else
            CommitReserved(e.Id, e.Kind, e.UserId, e.LoginId, e.ExpiresAt);
    }

    // --- credentials (sessions, DRF tokens, API keys), for the user writes' purges ---

    private readonly List<StoredCredentialRow> _credentials = new();

    public void PutCredential(StoredCredentialRow credential) { lock (_gate) _credentials.Add(credential); }

    public IReadOnlyList<StoredCredentialRow> Credentials(long userId) { lock (_gate) return _credentials.Where(c => c.UserId == userId).ToList(); }

    private readonly Dictionary<long, string> _passwords = new();

    public string? PasswordHash(long userId) { lock (_gate) return _passwords.GetValueOrDefault(userId); }

    public string? LastPasswordHash { get; private set; }

    // --- IUserChangeStore: one transaction at a time (shared with the ledger), its writes applied on commit ---

    async Task<IUserChangeTransaction> IUserChangeStore.BeginAsync(CancellationToken cancellationToken)
    {
        await _oneTransaction.WaitAsync(cancellationToken);
        lock (_gate)
            return new UserTransaction(this);
    }

    private sealed class UserTransaction(InMemoryRevocationStore store) : IUserChangeTransaction
    {
        // Copies of what the transaction may change; made under the store's lock, swapped in on commit.
        private readonly Dictionary<long, UserSnapshot> _users = new(store._users);
        private readonly Dictionary<long, string> _passwords = new(store._passwords);
        private readonly List<StoredCredentialRow> _credentials = new(store._credentials);
        private readonly List<AdmissionChange> _events = new();
        private string? _lastPassword;
        private bool _disposed;

        public Task<bool> AdvanceEpochAsync(long userId, long? expectedEpoch, long revokedBeforeMs, CancellationToken cancellationToken = default)
        {
            if (!_users.TryGetValue(userId, out var user) || (expectedEpoch is { } expected && user.RevocationEpoch != expected))
                return Task.FromResult(false);
            _users[userId] = user with { RevocationEpoch = user.RevocationEpoch + 1, RevokedBeforeMs = revokedBeforeMs };
            return Task.FromResult(true);
        }

        public Task SetPasswordHashAsync(long userId, string passwordHash, CancellationToken cancellationToken = default)
        {
            if (_users.ContainsKey(userId))
                _passwords[userId] = _lastPassword = passwordHash;
            return Task.CompletedTask;
        }

        public Task<bool> SetFlagsAsync(long userId, UserFlags flags, CancellationToken cancellationToken = default)
        {
            if (!_users.TryGetValue(userId, out var user))
                return Task.FromResult(false);
            _users[userId] = WithFlags(user, flags);
            return Task.FromResult(true);
        }

        public Task<bool> InsertUserAsync(User user, CancellationToken cancellationToken = default)
        {
            if (_users.Values.Any(u => u.Username == user.Username))
                return Task.FromResult(false);
            user.Id = _users.Count == 0 ? 1 : _users.Keys.Max() + 1;
            _users[user.Id] = user.ToSnapshot();
            return Task.FromResult(true);
        }

        public async Task<bool> UpdateUserAsync(long userId, Func<User, Task<bool>> change, CancellationToken cancellationToken = default)
        {
            if (_users.GetValueOrDefault(userId) is not { } user)
                return false;
            var row = new User { Id = user.Id, Username = user.Username, Email = user.Email, IsActive = user.IsActive, IsStaff = user.IsStaff, IsSuperuser = user.IsSuperuser };
            if (!await change(row))
                return false;
            _users[userId] = user with { Email = row.Email };
            return true;
        }

        public Task<bool> MarkEmailVerifiedAsync(long userId, string expectedEmail, CancellationToken cancellationToken = default)
        {
            if (_users.GetValueOrDefault(userId) is not { EmailVerified: false } user || user.Email != expectedEmail)
                return Task.FromResult(false);
            _users[userId] = user with { EmailVerified = true };
            return Task.FromResult(true);
        }

        public Task DeleteUserAsync(long userId, CancellationToken cancellationToken = default)
        {
            _users.Remove(userId);
            _passwords.Remove(userId);
            _credentials.RemoveAll(c => c.UserId == userId);
            return Task.CompletedTask;
        }

        public Task<int> DeleteSessionsAsync(long userId, CancellationToken cancellationToken = default)
            => Task.FromResult(_credentials.RemoveAll(c => c.UserId == userId && c.Kind == StoredCredentialKind.Session));

        public Task<int> DeleteOpaqueTokensAsync(long userId, CancellationToken cancellationToken = default)
            => Task.FromResult(_credentials.RemoveAll(c => c.UserId == userId && c.Kind == StoredCredentialKind.OpaqueToken));

        public Task<IReadOnlyList<IStoredCredential>> DeleteApiKeysAsync(long userId, CancellationToken cancellationToken = default)
        {
            var keys = _credentials.Where(c => c.UserId == userId && c.Kind == StoredCredentialKind.ApiKey).ToList();
            _credentials.RemoveAll(keys.Contains);
            return Task.FromResult<IReadOnlyList<IStoredCredential>>(keys);
        }

        public Task<AdmissionChange> RevokeLoginAsync(LoginId login, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
            => Task.FromResult(Reserve(AdmissionChangeKind.LoginRevoked, userId, login.ToString(), expiresAt.ToUnixTimeSeconds()));

        public Task<AdmissionChange> AppendUserChangedAsync(long userId, CancellationToken cancellationToken = default)
            => Task.FromResult(Reserve(AdmissionChangeKind.UserChanged, userId, null, 0));

        // The id is taken now, as PostgreSQL's identity is; a rollback leaves a gap.
        private AdmissionChange Reserve(AdmissionChangeKind kind, long userId, string? loginId, long expiresAt)
        {
            var e = new AdmissionChange(store.ReserveEventId(), kind, userId, loginId, expiresAt);
            _events.Add(e);
            return e;
        }

        public Task CommitAsync(CancellationToken cancellationToken = default)
        {
            lock (store._gate)
            {
                Replace(store._users, _users);
                Replace(store._passwords, _passwords);
                store._credentials.Clear();
                store._credentials.AddRange(_credentials);
                if (_lastPassword is not null)
                    store.LastPasswordHash = _lastPassword;
                foreach (var e in _events)
                    store.CommitRevocationOrChange(e);
            }
            _events.Clear();
            return Task.CompletedTask;
        }

        private static void Replace<TKey, TValue>(Dictionary<TKey, TValue> target, Dictionary<TKey, TValue> source) where TKey : notnull
        {
            target.Clear();
            foreach (var (key, value) in source)
                target[key] = value;
        }

        public ValueTask DisposeAsync()
        {
            if (!_disposed)
            {
                _disposed = true;
                store._oneTransaction.Release();
            }
            return ValueTask.CompletedTask;
        }
    }

    // --- IRefreshTokenLedger: one transaction at a time, its writes applied on commit ---

    private readonly Dictionary<string, long> _blacklist = new();
    private readonly SemaphoreSlim _oneTransaction = new(1, 1);

    public async Task<IRefreshTokenLedgerTransaction> BeginAsync(CancellationToken cancellationToken = default)
    {
        await _oneTransaction.WaitAsync(cancellationToken);
        return new LedgerTransaction(this);
    }

    private sealed class LedgerTransaction(InMemoryRevocationStore store) : IRefreshTokenLedgerTransaction
    {
        private readonly Dictionary<string, long> _denied = new();
        private readonly List<AdmissionChange> _revoked = new();
        private bool _disposed;

        public Task<TokenDenial> DenyAsync(RefreshRotation token, CancellationToken cancellationToken = default)
        {
            lock (store._gate)
            {
                if (store._blacklist.TryGetValue(token.Jti, out var at) || _denied.TryGetValue(token.Jti, out at))
                    return Task.FromResult(new TokenDenial(false, at));
            }
            _denied[token.Jti] = token.Now.ToUnixTimeMilliseconds();
            return Task.FromResult(TokenDenial.Inserted);
        }

        public Task<AdmissionChange> RevokeLoginAsync(LoginId login, long userId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
        {
            // The id is taken now, as PostgreSQL's identity is; a rollback leaves a gap.
            var e = new AdmissionChange(store.ReserveEventId(), AdmissionChangeKind.LoginRevoked, userId, login.ToString(), expiresAt.ToUnixTimeSeconds());
            _revoked.Add(e);
            return Task.FromResult(e);
        }

        public Task CommitAsync(CancellationToken cancellationToken = default)
        {
            lock (store._gate)
            {
                foreach (var (jti, at) in _denied)
                    store._blacklist[jti] = at;
                foreach (var e in _revoked)
                    store.CommitRevocationOrChange(e);
            }
            _denied.Clear();
            _revoked.Clear();
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (!_disposed)
            {
                _disposed = true;
                store._oneTransaction.Release();
            }
            return ValueTask.CompletedTask;
        }
    }

    // --- IAdmissionChangeFeedStore ---

    public Task<UserSnapshot?> LoadUserAsync(long userId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            LoadUserCalls.Add(userId);
            return Task.FromResult(_users.GetValueOrDefault(userId));
        }
    }

    public Task<RevocationSnapshot> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            LoadCalls++;
            var cutoff = now.ToUnixTimeSeconds();
            var live = _revoked.Where(r => r.Value >= cutoff).Select(r => (r.Key, r.Value)).ToList();
            var last = LastEventId;
            var recent = _events.Where(e => e.Id > last - RevocationSnapshot.RecentIdSpan).Select(e => e.Id).ToList();
            return Task.FromResult(new RevocationSnapshot(last, _users.Values.ToList(), live, recent));
        }
    }

    public Task<IReadOnlyList<AdmissionChange>> ReadEventsAsync(long afterId, int max, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ReadAfterIds.Add(afterId);
            IReadOnlyList<AdmissionChange> page = _events.Where(e => e.Id > afterId).OrderBy(e => e.Id).Take(max).ToList();
            return Task.FromResult(page);
        }
    }

    public List<IReadOnlyCollection<long>> ReadIdSets { get; } = new();

    public Task<IReadOnlyList<AdmissionChange>> ReadEventsAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ReadIdSets.Add(ids.ToList());
            IReadOnlyList<AdmissionChange> found = _events.Where(e => ids.Contains(e.Id)).OrderBy(e => e.Id).ToList();
            return Task.FromResult(found);
        }
    }
}

/// <summary>The single-instance bus: applies a published event to this instance's memory at once.</summary>
internal sealed class InProcessBusFake(RevocationSynchronizer synchronizer, InMemoryRevocationStore store) : IRevocationBus
{
    public List<AdmissionChange> Published { get; } = new();

    /// <summary>For each publish, whether the store already held the event (database first).</summary>
    public List<bool> CommittedBeforePublish { get; } = new();

    public Task PublishAsync(AdmissionChange revocationEvent, CancellationToken cancellationToken = default)
    {
        Published.Add(revocationEvent);
        CommittedBeforePublish.Add(store.Events.Any(e => e.Id == revocationEvent.Id));
        return synchronizer.ApplyAsync(revocationEvent, store, cancellationToken);
    }
}

/// <summary>A bus that is down.</summary>
internal sealed class FailingBus : IRevocationBus
{
    public Task PublishAsync(AdmissionChange revocationEvent, CancellationToken cancellationToken = default)
        => throw new InvalidOperationException("bus down");
}

/// <summary>A session, DRF token or API key as the in-memory store keeps it.</summary>
internal sealed record StoredCredentialRow(StoredCredentialKind Kind, string KeyHash, long UserId, long CreatedAt, long? ExpiresAt = null, long? Epoch = null)
    : IStoredCredential;

internal static class TestUsers
{
    public static UserSnapshot Active(long id, long? revokedBeforeMs = null)
        => new(id, "user" + id, "user" + id + "@example.test", IsActive: true, IsStaff: false, IsSuperuser: false, revokedBeforeMs);

    public static UserSnapshot Inactive(long id) => Active(id) with { IsActive = false };
}

/// <summary>The ledger contract on the in-memory store, which exists only for the tests.</summary>
public sealed class InMemoryRefreshTokenLedgerContractTests : Tessera.Tests.Contracts.RefreshTokenLedgerContract
{
    private readonly InMemoryRevocationStore _store = new();

    protected override long UserId => 1;

    protected override IRefreshTokenLedger CreateLedger() => _store;

    protected override Task<bool> IsRevokedAsync(LoginId login) => Task.FromResult(_store.HasRevokedRow(login));
}

/// <summary>The user-writes contract on the in-memory store: persistence only, the rules from Core.</summary>
public sealed class InMemoryUserChangeStoreContractTests : UserChangeStoreContract
{
    private readonly InMemoryRevocationStore _store = new();

    protected override IUserChangeStore CreateStore() => _store;

    protected override IAdmissionChangeFeedStore CreateFeed() => _store;

    protected override User NewUser(string username, string email) => new() { Username = username, Email = email };

    protected override Task AddCredentialAsync(StoredCredentialKind kind, long userId, string keyHash, long createdAt)
    {
        _store.PutCredential(new StoredCredentialRow(kind, keyHash, userId, createdAt));
        return Task.CompletedTask;
    }

    protected override Task<IReadOnlyList<string>> CredentialsAsync(StoredCredentialKind kind, long userId)
        => Task.FromResult<IReadOnlyList<string>>(_store.Credentials(userId).Where(c => c.Kind == kind).Select(c => c.KeyHash).ToList());

    protected override Task<string?> PasswordHashAsync(long userId) => Task.FromResult(_store.PasswordHash(userId));
}
