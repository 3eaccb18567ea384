using Tessera.Core.Admission;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Core.Tests.Revocation;

/// <summary><see cref="Revocations"/> over the in-memory store and an in-process bus: database first, then memory, at once.</summary>
public class RevocationsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250);

    private readonly InMemoryRevocationStore _store = new();
    private readonly RevocationState _state = new();
    private readonly UserSnapshots _users = new();
    private readonly RevocationSynchronizer _sync;
    private readonly InProcessBusFake _bus;
    private readonly Revocations _revocations;
    private readonly AdmissionGate _gate;

    public RevocationsTests()
    {
        _sync = new RevocationSynchronizer(_state, _users);
        _bus = new InProcessBusFake(_sync, _store);
        _revocations = new Revocations(_store, _bus);
        _gate = new AdmissionGate(_state, _users);
    }

    private async Task LoadAsync(params UserSnapshot[] users)
    {
        foreach (var u in users)
            _store.PutUser(u);
        await _sync.LoadAsync(_store, Now);
    }

    private static LoginProof ProofOf(long userId, LoginId login) => new(userId, "jwt", null, login, login.CreatedAtMs);

    [Fact]
    public async Task RevokeLoginAsync_WritesTheStoreThenRevokesInMemoryAtOnce()
    {
        await LoadAsync(TestUsers.Active(1));
        var login = LoginId.New(Now.ToUnixTimeMilliseconds());
        Assert.True(_gate.Admit(ProofOf(1, login)).IsAdmitted);

        await _revocations.RevokeLoginAsync(login, 1, Now.AddMinutes(10));

        Assert.True(_store.HasRevokedRow(login));
        Assert.Equal([true], _bus.CommittedBeforePublish);
        var e = Assert.Single(_bus.Published);
        Assert.Equal(RevocationEventKind.LoginRevoked, e.Kind);
        Assert.Equal(login.ToString(), e.LoginId);
        Assert.True(_state.IsRevoked(login));
        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(ProofOf(1, login)).Rejection);
        // The rest of the user's logins stay admitted.
        Assert.True(_gate.Admit(ProofOf(1, LoginId.New(Now.ToUnixTimeMilliseconds()))).IsAdmitted);
    }

    [Fact]
    public async Task RevokeAllAsync_ReturnsOneMillisecondAfterNow()
    {
        await LoadAsync(TestUsers.Active(1));

        var revokedBefore = await _revocations.RevokeAllAsync(1, Now);

        Assert.Equal(Now.ToUnixTimeMilliseconds() + 1, revokedBefore);
        Assert.Equal(revokedBefore, _store.User(1)!.RevokedBeforeMs);
        Assert.Equal(revokedBefore, _users.Find(1)!.RevokedBeforeMs);
        Assert.Equal([true], _bus.CommittedBeforePublish);
    }

    [Fact]
    public async Task RevokeAllAsync_RefusesLoginsMadeAtNow_AdmitsLoginsMadeAtTheReturnedInstant()
    {
        await LoadAsync(TestUsers.Active(1), TestUsers.Active(2));
        var nowMs = Now.ToUnixTimeMilliseconds();
        var older = LoginId.New(nowMs - 60_000);
        var sameMillisecond = LoginId.New(nowMs);
        var otherUsers = LoginId.New(nowMs - 60_000);

        var revokedBefore = await _revocations.RevokeAllAsync(1, Now);
        var next = LoginId.New(revokedBefore);

        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(ProofOf(1, older)).Rejection);
        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(ProofOf(1, sameMillisecond)).Rejection);
        Assert.True(_gate.Admit(ProofOf(1, next)).IsAdmitted);
        Assert.True(_gate.Admit(ProofOf(2, otherUsers)).IsAdmitted);
    }

    [Fact]
    public async Task RevokeAllAsync_PassesTheNewPasswordHashToTheStore()
    {
        await LoadAsync(TestUsers.Active(1));

        await _revocations.RevokeAllAsync(1, Now, "pbkdf2_sha256$1$salt$hash");

        Assert.Equal("pbkdf2_sha256$1$salt$hash", _store.LastPasswordHash);
    }

    [Fact]
    public async Task SetUserFlagsAsync_Deactivation_RefusesAtOnce()
    {
        await LoadAsync(TestUsers.Active(1));
        var login = LoginId.New(Now.ToUnixTimeMilliseconds());

        await _revocations.SetUserFlagsAsync(1, isActive: false, isStaff: false, isSuperuser: false, isPremium: false);

        Assert.Equal(AdmissionRejection.UserInactive, _gate.Admit(ProofOf(1, login)).Rejection);

        await _revocations.SetUserFlagsAsync(1, isActive: true, isStaff: true, isSuperuser: false, isPremium: false);

        var result = _gate.Admit(ProofOf(1, login));
        Assert.True(result.IsAdmitted);
        Assert.True(result.User!.IsStaff);
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
        var revocations = new Revocations(_store, new FailingBus());

        await Assert.ThrowsAsync<InvalidOperationException>(() => revocations.RevokeLoginAsync(login, 1, Now.AddMinutes(10)));

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
        var revocations = new Revocations(store, new InProcessBusFake(synchronizer, store));

        var alice = new User { Username = "alice", DateJoined = DateTime.UtcNow };
        Assert.True(await revocations.CreateUserAsync(alice));
        Assert.False(await revocations.CreateUserAsync(new User { Username = "alice", DateJoined = DateTime.UtcNow }));

        Assert.Equal("alice", users.Find(alice.Id)?.Username);
        Assert.Single(store.Events, e => e.Kind == RevocationEventKind.UserChanged && e.UserId == alice.Id);
    }
}
