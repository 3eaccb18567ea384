using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Core.Tests.Revocation;

public class RevocationSynchronizerTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly long NowSeconds = Now.ToUnixTimeSeconds();

    private readonly InMemoryRevocationStore _store = new();
    private readonly RevocationState _revocations = new();
    private readonly UserSnapshots _users = new();
    private readonly RevocationSynchronizer _sync;

    public RevocationSynchronizerTests() => _sync = new RevocationSynchronizer(_revocations, _users);

    private static LoginId NewLogin() => LoginId.New(Now.ToUnixTimeMilliseconds());

    [Fact]
    public void BeforeLoad_IsNotLoaded()
    {
        Assert.False(_sync.IsLoaded);
        Assert.Equal(-1, _sync.LastEventId);
    }

    [Fact]
    public async Task LoadAsync_FillsUsersAndRevocations_AndSetsLastEventId()
    {
        _store.PutUser(TestUsers.Active(1));
        _store.PutUser(TestUsers.Inactive(2));
        var revoked = NewLogin();
        var expiredRow = NewLogin();
        _store.PutRevokedRow(revoked, NowSeconds + 600);
        _store.PutRevokedRow(expiredRow, NowSeconds - 600);
        for (var i = 0; i < 7; i++)
            _store.Append(AdmissionChangeKind.UserChanged, 1);

        await _sync.LoadAsync(_store, Now);

        Assert.True(_sync.IsLoaded);
        Assert.Equal(7, _sync.LastEventId);
        Assert.Equal(2, _users.Count);
        Assert.Equal(TestUsers.Active(1), _users.Find(1));
        Assert.Equal(TestUsers.Inactive(2), _users.Find(2));
        Assert.True(_revocations.IsRevoked(revoked));
        Assert.False(_revocations.IsRevoked(expiredRow));
        Assert.Equal(1, _revocations.Count);
    }

    [Fact]
    public async Task LoadAsync_WithAnEmptyFeed_IsLoadedAtZero()
    {
        await _sync.LoadAsync(_store, Now);

        Assert.True(_sync.IsLoaded);
        Assert.Equal(0, _sync.LastEventId);
    }

    [Fact]
    public async Task LoadAsync_ReplacesWhatMemoryHeld()
    {
        var stale = NewLogin();
        _revocations.Revoke(stale, NowSeconds + 600);
        _users.Set(99, TestUsers.Active(99));
        _store.PutUser(TestUsers.Active(1));

        await _sync.LoadAsync(_store, Now);

        Assert.Null(_users.Find(99));
        Assert.NotNull(_users.Find(1));
        Assert.False(_revocations.IsRevoked(stale));
    }

    [Fact]
    public async Task CatchUpAsync_AppliesNewEvents()
    {
        _store.PutUser(TestUsers.Active(1));
        _store.PutUser(TestUsers.Active(2));
        await _sync.LoadAsync(_store, Now);
        var login = NewLogin();

        // Written by another instance: the rows and their events, not applied here yet.
        await _store.RevokeLoginAsync(login, 1, Now.AddMinutes(10));
        await _store.SetUserFlagsAsync(2, new UserFlags(false, true, false), 0);
        _store.PutUser(TestUsers.Active(3));
        await _store.UserChangedAsync(3);
        Assert.False(_revocations.IsRevoked(login));

        var applied = await _sync.CatchUpAsync(_store, Now.AddSeconds(1));

        Assert.Equal(3, applied);
        Assert.Equal(3, _sync.LastEventId);
        Assert.True(_revocations.IsRevoked(login));
        var bob = _users.Find(2);
        Assert.NotNull(bob);
        Assert.False(bob.IsActive);
        Assert.True(bob.IsStaff);
        Assert.Equal(TestUsers.Active(3), _users.Find(3));
        Assert.Equal(1, _store.LoadCalls); // a catch-up, not a reload
    }

    [Fact]
    public async Task CatchUpAsync_RemovesAUserTheStoreNoLongerHas()
    {
        _store.PutUser(TestUsers.Active(1));
        _store.PutUser(TestUsers.Active(2));
        await _sync.LoadAsync(_store, Now);

        await _store.DeleteUserAsync(2);
        await _sync.CatchUpAsync(_store, Now.AddSeconds(1));

        Assert.Null(_users.Find(2));
        Assert.NotNull(_users.Find(1));
        Assert.Equal(1, _users.Count);
    }

    [Fact]
    public async Task CatchUpAsync_ReadsAfterTheLastSeenEvent_AndAppliesInOrder()
    {
        for (var id = 1; id <= 5; id++)
            _store.PutUser(TestUsers.Active(id));
        _store.Append(AdmissionChangeKind.UserChanged, 1);
        _store.Append(AdmissionChangeKind.UserChanged, 1);
        await _sync.LoadAsync(_store, Now);
        Assert.Equal(2, _sync.LastEventId);

        foreach (var id in new long[] { 4, 2, 5, 1, 3 })
            _store.Append(AdmissionChangeKind.UserChanged, id);

        var applied = await _sync.CatchUpAsync(_store, Now.AddSeconds(1));

        Assert.Equal(5, applied);
        Assert.Equal(7, _sync.LastEventId);
        Assert.Equal(2, _store.ReadAfterIds[0]);
        Assert.Equal(new long[] { 4, 2, 5, 1, 3 }, _store.LoadUserCalls);
    }

    [Fact]
    public async Task CatchUpAsync_LaterEventWins_WhenTheSameUserChangesTwice()
    {
        _store.PutUser(TestUsers.Active(1));
        await _sync.LoadAsync(_store, Now);

        await _store.SetUserFlagsAsync(1, new UserFlags(false, false, false), 0);
        await _store.SetUserFlagsAsync(1, new UserFlags(true, true, false), 0);
        await _sync.CatchUpAsync(_store, Now.AddSeconds(1));

        var user = _users.Find(1);
        Assert.NotNull(user);
        Assert.True(user.IsActive);
        Assert.True(user.IsStaff);
    }

    [Fact]
    public async Task CatchUpAsync_WithNothingNew_AppliesNothing()
    {
        _store.Append(AdmissionChangeKind.UserChanged, 1);
        await _sync.LoadAsync(_store, Now);

        Assert.Equal(0, await _sync.CatchUpAsync(_store, Now.AddSeconds(1)));
        Assert.Equal(0, await _sync.CatchUpAsync(_store, Now.AddSeconds(2)));
        Assert.Equal(1, _sync.LastEventId);
        Assert.Equal(1, _store.LoadCalls);
    }

    [Fact]
    public async Task ApplyAsync_SameEventTwice_IsHarmless()
    {
        _store.PutUser(TestUsers.Active(1));
        await _sync.LoadAsync(_store, Now);
        var login = NewLogin();
        var revoke = await _store.RevokeLoginAsync(login, 1, Now.AddMinutes(10));
        var change = (await _store.SetUserFlagsAsync(1, new UserFlags(false, false, false), 0)).Single();

        await _sync.ApplyAsync(revoke, _store);
        await _sync.ApplyAsync(change, _store);
        await _sync.ApplyAsync(revoke, _store);
        await _sync.ApplyAsync(change, _store);

        Assert.True(_revocations.IsRevoked(login));
        Assert.Equal(1, _revocations.Count);
        Assert.False(_users.Find(1)!.IsActive);
        Assert.Equal(1, _users.Count);
    }

    [Fact]
    public async Task CatchUpAsync_AfterTheBusAppliedTheSameEvents_IsIdempotent()
    {
        _store.PutUser(TestUsers.Active(1));
        await _sync.LoadAsync(_store, Now);
        var login = NewLogin();
        var revoke = await _store.RevokeLoginAsync(login, 1, Now.AddMinutes(10));
        var delete = await _store.DeleteUserAsync(1);
        // The local bus delivered both already.
        await _sync.ApplyAsync(revoke, _store);
        await _sync.ApplyAsync(delete, _store);

        var applied = await _sync.CatchUpAsync(_store, Now.AddSeconds(1));
        // And the feed is read again by a second catch-up (nothing new).
        await _sync.CatchUpAsync(_store, Now.AddSeconds(2));

        Assert.Equal(2, applied);
        Assert.Equal(2, _sync.LastEventId);
        Assert.True(_revocations.IsRevoked(login));
        Assert.Equal(1, _revocations.Count);
        Assert.Null(_users.Find(1));
        Assert.Equal(0, _users.Count);
    }

    [Fact]
    public async Task ApplyAsync_LoginRevokedWithAMalformedLoginId_IsIgnored()
    {
        await _sync.LoadAsync(_store, Now);

        await _sync.ApplyAsync(new AdmissionChange(1, AdmissionChangeKind.LoginRevoked, 1, "not-a-login-id", NowSeconds + 60), _store);
        await _sync.ApplyAsync(new AdmissionChange(2, AdmissionChangeKind.LoginRevoked, 1, null, NowSeconds + 60), _store);

        Assert.Equal(0, _revocations.Count);
    }

    [Theory]
    [InlineData(1234, 3)]
    [InlineData(1000, 3)] // two full pages, then an empty one that says "done"
    [InlineData(501, 2)]
    [InlineData(499, 1)]
    public async Task CatchUpAsync_PagesThroughMoreThan500Events(int count, int reads)
    {
        await _sync.LoadAsync(_store, Now);
        var logins = new List<LoginId>();
        for (var i = 0; i < count; i++)
        {
            var login = NewLogin();
            logins.Add(login);
            await _store.RevokeLoginAsync(login, 1, Now.AddMinutes(10));
        }

        var applied = await _sync.CatchUpAsync(_store, Now.AddSeconds(1));

        Assert.Equal(count, applied);
        Assert.Equal(count, _sync.LastEventId);
        Assert.Equal(count, _revocations.Count);
        Assert.All(logins, l => Assert.True(_revocations.IsRevoked(l)));
        Assert.Equal(reads, _store.ReadAfterIds.Count);
        // Each page starts where the previous one ended.
        Assert.Equal(Enumerable.Range(0, reads).Select(p => (long)Math.Min(p * 500, count)), _store.ReadAfterIds);
    }

    [Fact]
    public async Task CatchUpAsync_WhenNotLoaded_DoesAFullReload()
    {
        _store.PutUser(TestUsers.Active(1));
        var revoked = NewLogin();
        _store.PutRevokedRow(revoked, NowSeconds + 600);
        for (var i = 0; i < 3; i++)
            _store.Append(AdmissionChangeKind.UserChanged, 1);

        var applied = await _sync.CatchUpAsync(_store, Now);

        Assert.Equal(0, applied);
        Assert.Equal(1, _store.LoadCalls);
        Assert.Empty(_store.ReadAfterIds);
        Assert.True(_sync.IsLoaded);
        Assert.Equal(3, _sync.LastEventId);
        Assert.NotNull(_users.Find(1));
        Assert.True(_revocations.IsRevoked(revoked));
    }

    [Fact]
    public async Task CatchUpAsync_AfterLongSilence_ReloadsEverything()
    {
        _store.PutUser(TestUsers.Active(1));
        await _sync.LoadAsync(_store, Now);
        // A revocation whose event was swept before this instance read it: only a reload finds it.
        var login = NewLogin();
        await _store.RevokeLoginAsync(login, 1, Now.AddDays(2));
        _store.SweepEvents();

        await _sync.CatchUpAsync(_store, Now + RevocationSynchronizer.MaxFeedSilence - TimeSpan.FromSeconds(1));
        Assert.False(_revocations.IsRevoked(login)); // the feed alone cannot know
        Assert.Equal(1, _store.LoadCalls);

        await _sync.CatchUpAsync(_store, Now + RevocationSynchronizer.MaxFeedSilence * 3);
        Assert.Equal(2, _store.LoadCalls);
        Assert.True(_revocations.IsRevoked(login));
    }

    [Fact]
    public async Task CatchUpAsync_RegularCatchUps_KeepTheFeedTrusted()
    {
        await _sync.LoadAsync(_store, Now);

        // Catching up every 6 hours for two days never needs a reload.
        for (var h = 6; h <= 48; h += 6)
            await _sync.CatchUpAsync(_store, Now.AddHours(h));

        Assert.Equal(1, _store.LoadCalls);
    }

    // --- the feed is exact when ids commit out of order (PostgreSQL) ---

    [Fact]
    public async Task CatchUpAsync_AppliesAnEventWhoseTransactionCommittedAfterALaterOne()
    {
        await _sync.LoadAsync(_store, Now);
        var early = NewLogin();
        var late = NewLogin();
        var earlyId = _store.ReserveEventId();     // transaction 1 takes its id, does not commit yet
        _store.CommitReserved(_store.ReserveEventId(), AdmissionChangeKind.LoginRevoked, 1, late.ToString(), NowSeconds + 600);

        await _sync.CatchUpAsync(_store, Now);     // sees only the later event
        Assert.True(_revocations.IsRevoked(late));
        Assert.False(_revocations.IsRevoked(early));
        Assert.Equal(1, _sync.GapCount);

        _store.CommitReserved(earlyId, AdmissionChangeKind.LoginRevoked, 1, early.ToString(), NowSeconds + 600);
        await _sync.CatchUpAsync(_store, Now.AddSeconds(1));

        Assert.True(_revocations.IsRevoked(early)); // an id-ordered reader (id > 2) would never see it
        Assert.Equal(0, _sync.GapCount);
    }

    [Fact]
    public async Task LoadAsync_WatchesIdsBelowTheNewestThatHadNotCommitted()
    {
        var early = NewLogin();
        var earlyId = _store.ReserveEventId();
        _store.Append(AdmissionChangeKind.UserChanged, 1);   // id 2 commits; 1 is still open during the load
        await _sync.LoadAsync(_store, Now);
        Assert.Equal(2, _sync.LastEventId);

        _store.CommitReserved(earlyId, AdmissionChangeKind.LoginRevoked, 1, early.ToString(), NowSeconds + 600);
        await _sync.CatchUpAsync(_store, Now.AddSeconds(1));

        Assert.True(_revocations.IsRevoked(early));
    }

    [Fact]
    public async Task CatchUpAsync_StopsLookingForAGapAfterTheLookBack()
    {
        await _sync.LoadAsync(_store, Now);
        _store.ReserveEventId();   // rolled back: never commits
        _store.Append(AdmissionChangeKind.UserChanged, 1);
        await _sync.CatchUpAsync(_store, Now);
        Assert.Equal(1, _sync.GapCount);

        await _sync.CatchUpAsync(_store, Now + RevocationSynchronizer.GapLookBack - TimeSpan.FromSeconds(1));
        Assert.Equal(1, _sync.GapCount);
        var readsBefore = _store.ReadIdSets.Count;
        await _sync.CatchUpAsync(_store, Now + RevocationSynchronizer.GapLookBack + TimeSpan.FromSeconds(1));
        Assert.Equal(0, _sync.GapCount);
        await _sync.CatchUpAsync(_store, Now + RevocationSynchronizer.GapLookBack + TimeSpan.FromSeconds(2));
        Assert.Equal(readsBefore, _store.ReadIdSets.Count); // no gap left to ask for
    }

    [Fact]
    public async Task CatchUpAsync_WithoutGaps_AsksOnlyForNewerEvents()
    {
        await _sync.LoadAsync(_store, Now);
        _store.Append(AdmissionChangeKind.UserChanged, 1);
        await _sync.CatchUpAsync(_store, Now);
        await _sync.CatchUpAsync(_store, Now);
        Assert.Empty(_store.ReadIdSets);
    }
}
