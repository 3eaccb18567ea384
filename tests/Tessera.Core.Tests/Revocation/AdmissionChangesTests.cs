using Tessera.Core.Admission;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Core.Tests.Revocation;

/// <summary><see cref="AdmissionChanges"/> over the in-memory store and an in-process bus: database first, then memory, at once.</summary>
public class AdmissionChangesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250);

    private readonly InMemoryRevocationStore _store = new();
    private readonly RevocationState _state = new();
    private readonly UserSnapshots _users = new();
    private readonly RevocationSynchronizer _sync;
    private readonly InProcessBusFake _bus;
    private readonly AdmissionChanges _revocations;
    private readonly AdmissionGate _gate;

    public AdmissionChangesTests()
    {
        _sync = new RevocationSynchronizer(_state, _users);
        _bus = new InProcessBusFake(_sync, _store);
        _revocations = new AdmissionChanges(_store, _bus, _store);
        _gate = new AdmissionGate(_state, _users);
    }

    private async Task LoadAsync(params UserSnapshot[] users)
    {
        foreach (var u in users)
            _store.PutUser(u);
        await _sync.LoadAsync(_store, Now);
    }

    /// <summary>A JWT logout of <paramref name="login"/> (user 1): its refresh token blacklisted, the login revoked.</summary>
    private static RefreshRotation Logout(LoginId login)
        => new("jti-" + login, 1, Now.AddMinutes(10), login, Now.AddMinutes(10), Now);

    private static CredentialProof ProofOf(long userId, LoginId login) => new(userId, "jwt", null, login, login.CreatedAtMs);

    [Fact]
    public async Task A_logout_WritesTheStoreThenRevokesInMemoryAtOnce()
    {
        await LoadAsync(TestUsers.Active(1));
        var login = LoginId.New(Now.ToUnixTimeMilliseconds());
        Assert.True(_gate.Admit(ProofOf(1, login)).IsAdmitted);

        await _revocations.BlacklistRefreshTokenAsync(Logout(login));

        Assert.True(_store.HasRevokedRow(login));
        Assert.Equal([true], _bus.CommittedBeforePublish);
        var e = Assert.Single(_bus.Published);
        Assert.Equal(AdmissionChangeKind.LoginRevoked, e.Kind);
        Assert.Equal(login.ToString(), e.LoginId);
        Assert.True(_state.IsRevoked(login));
        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(ProofOf(1, login)).Rejection);
        // The rest of the user's logins stay admitted.
        Assert.True(_gate.Admit(ProofOf(1, LoginId.New(Now.ToUnixTimeMilliseconds()))).IsAdmitted);
    }

    private static CredentialProof EpochProofOf(long userId, long epoch) => new(userId, "jwt", null, LoginId.New(Now.ToUnixTimeMilliseconds()), Now.ToUnixTimeMilliseconds(), epoch);

    [Fact]
    public async Task RevokeAllAsync_MovesTheEpochOn_AndDatesForeignTokensOneMillisecondAfterNow()
    {
        await LoadAsync(TestUsers.Active(1));

        await _revocations.RevokeAllAsync(1, Now);

        Assert.Equal(Now.ToUnixTimeMilliseconds() + 1, _store.User(1)!.RevokedBeforeMs);
        Assert.Equal(1, _store.User(1)!.RevocationEpoch);
        Assert.Equal(1, _users.Find(1)!.RevocationEpoch);
        Assert.Equal([true], _bus.CommittedBeforePublish);
    }

    [Fact]
    public async Task RevokeAllAsync_RefusesCredentialsOfTheEarlierEpoch_AdmitsTheNewOne_AndOtherUsers()
    {
        await LoadAsync(TestUsers.Active(1), TestUsers.Active(2));

        await _revocations.RevokeAllAsync(1, Now);

        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(EpochProofOf(1, 0)).Rejection);
        Assert.True(_gate.Admit(EpochProofOf(1, 1)).IsAdmitted);
        Assert.True(_gate.Admit(EpochProofOf(2, 0)).IsAdmitted);
        // A login dated after the change cannot slip past it: the epoch, not the clock, decides.
        Assert.Equal(AdmissionRejection.LoginRevoked,
            _gate.Admit(new CredentialProof(1, "jwt", null, LoginId.New(Now.ToUnixTimeMilliseconds() + 60_000), Now.ToUnixTimeMilliseconds() + 60_000, 0)).Rejection);
    }

    [Fact]
    public async Task RevokeAllAsync_RefusesForeignTokensIssuedUntilNow_AdmitsLaterOnes()
    {
        await LoadAsync(TestUsers.Active(1));
        var nowMs = Now.ToUnixTimeMilliseconds();

        await _revocations.RevokeAllAsync(1, Now);

        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(new CredentialProof(1, "jwt", null, null, nowMs - 60_000)).Rejection);
        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(new CredentialProof(1, "jwt", null, null, nowMs)).Rejection);
        Assert.True(_gate.Admit(new CredentialProof(1, "jwt", null, null, nowMs + 1)).IsAdmitted);
    }

    [Fact]
    public async Task ChangePasswordAsync_IsACompareAndSwap_OnlyTheFirstFromOneEpochWins()
    {
        await LoadAsync(TestUsers.Active(1));

        Assert.Equal(1, await _revocations.ChangePasswordAsync(1, expectedEpoch: 0, "pbkdf2_sha256$1$salt$first", Now));
        Assert.Null(await _revocations.ChangePasswordAsync(1, expectedEpoch: 0, "pbkdf2_sha256$1$salt$second", Now));

        Assert.Equal("pbkdf2_sha256$1$salt$first", _store.LastPasswordHash);
        Assert.Single(_bus.Published);
        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(EpochProofOf(1, 0)).Rejection);
        Assert.True(_gate.Admit(EpochProofOf(1, 1)).IsAdmitted);
    }

    [Fact]
    public async Task SetUserFlagsAsync_Deactivation_RefusesAtOnce_AndReactivationAdmitsOnlyNewLogins()
    {
        await LoadAsync(TestUsers.Active(1));

        Assert.True(await _revocations.SetUserFlagsAsync(1, new UserFlags(IsActive: false), Now));

        Assert.Equal(AdmissionRejection.UserInactive, _gate.Admit(EpochProofOf(1, 0)).Rejection);

        Assert.True(await _revocations.SetUserFlagsAsync(1, new UserFlags(IsActive: true, IsStaff: true), Now));

        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(EpochProofOf(1, 0)).Rejection);
        var result = _gate.Admit(EpochProofOf(1, 1));
        Assert.True(result.IsAdmitted);
        Assert.True(result.User!.IsStaff);
    }

    [Fact]
    public async Task SetUserFlagsAsync_RoleChange_LeavesTheEpoch_AndTheOtherFlags()
    {
        await LoadAsync(TestUsers.Active(1) with { IsSuperuser = true });

        Assert.True(await _revocations.SetUserFlagsAsync(1, new UserFlags(IsStaff: true), Now));

        var user = _users.Find(1)!;
        Assert.True(user.IsStaff);
        Assert.True(user.IsSuperuser);
        Assert.True(_gate.Admit(EpochProofOf(1, 0)).IsAdmitted);
        Assert.False(await _revocations.SetUserFlagsAsync(99, new UserFlags(IsStaff: true), Now));
    }

    [Fact]
    public async Task DeleteUserAsync_RefusesAtOnce()
    {
        await LoadAsync(TestUsers.Active(1));
        var login = LoginId.New(Now.ToUnixTimeMilliseconds());

        await _revocations.DeleteUserAsync(1);

        Assert.Null(_store.User(1));
        Assert.Equal(AdmissionRejection.UserNotFound, _gate.Admit(ProofOf(1, login)).Rejection);
    }

    [Fact]
    public async Task UserChangedAsync_LoadsANewUserIntoMemory()
    {
        await LoadAsync();
        _store.PutUser(TestUsers.Active(5));
        Assert.Null(_users.Find(5));

        await _revocations.UserChangedAsync(5);

        Assert.Equal(TestUsers.Active(5), _users.Find(5));
    }

    [Fact]
    public async Task WhenTheBusFails_TheStoreAlreadyHoldsTheRevocation_AndCatchUpAppliesIt()
    {
        await LoadAsync(TestUsers.Active(1));
        var login = LoginId.New(Now.ToUnixTimeMilliseconds());
        var revocations = new AdmissionChanges(_store, new FailingBus(), _store);

        await Assert.ThrowsAsync<InvalidOperationException>(() => revocations.BlacklistRefreshTokenAsync(Logout(login)));

        Assert.True(_store.HasRevokedRow(login));
        Assert.False(_state.IsRevoked(login));
        await _sync.CatchUpAsync(_store, Now.AddSeconds(1));
        Assert.True(_state.IsRevoked(login));
    }

    [Fact]
    public async Task A_created_user_is_admitted_at_once_and_a_taken_username_is_refused()
    {
        var store = new InMemoryRevocationStore();
        var state = new RevocationState();
        var users = new UserSnapshots();
        var synchronizer = new RevocationSynchronizer(state, users);
        await synchronizer.LoadAsync(store, DateTimeOffset.UtcNow);
        var revocations = new AdmissionChanges(store, new InProcessBusFake(synchronizer, store), store);

        var alice = new User { Username = "alice", DateJoined = DateTime.UtcNow };
        Assert.True(await revocations.CreateUserAsync(alice));
        Assert.False(await revocations.CreateUserAsync(new User { Username = "alice", DateJoined = DateTime.UtcNow }));

        Assert.Equal("alice", users.Find(alice.Id)?.Username);
        Assert.Single(store.Events, e => e.Kind == AdmissionChangeKind.UserChanged && e.UserId == alice.Id);
    }
}
