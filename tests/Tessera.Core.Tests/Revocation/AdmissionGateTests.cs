using Tessera.Core.Admission;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.Core.Tests.Revocation;

public class AdmissionGateTests
{
    private const long NowMs = 1_700_000_000_500;
    private const long NowSeconds = NowMs / 1000;

    private readonly RevocationState _revocations = new();
    private readonly UserSnapshots _users = new();
    private readonly AdmissionGate _gate;

    public AdmissionGateTests() => _gate = new AdmissionGate(_revocations, _users);

    private static CredentialProof Proof(long userId, LoginId? login = null, long? loginTimeMs = null)
        => new(userId, "jwt", DateTimeOffset.FromUnixTimeSeconds(NowSeconds + 300), login, loginTimeMs);

    private static CredentialProof ProofOf(long userId, LoginId login) => Proof(userId, login, login.CreatedAtMs);

    [Fact]
    public void ActiveUser_IsAdmitted_WithTheirSnapshot()
    {
        var alice = TestUsers.Active(1);
        _users.Set(1, alice);

        var result = _gate.Admit(ProofOf(1, LoginId.New(NowMs)));

        Assert.True(result.IsAdmitted);
        Assert.Equal(AdmissionRejection.None, result.Rejection);
        Assert.Same(alice, result.User);
    }

    [Fact]
    public void ActiveUser_WithoutLogin_IsAdmitted()
    {
        _users.Set(1, TestUsers.Active(1));

        var result = _gate.Admit(Proof(1));

        Assert.True(result.IsAdmitted);
    }

    [Fact]
    public void UnknownUser_IsUserNotFound()
    {
        _users.Set(1, TestUsers.Active(1));

        var result = _gate.Admit(ProofOf(2, LoginId.New(NowMs)));

        Assert.False(result.IsAdmitted);
        Assert.Equal(AdmissionRejection.UserNotFound, result.Rejection);
        Assert.Null(result.User);
    }

    [Fact]
    public void InactiveUser_IsUserInactive()
    {
        _users.Set(1, TestUsers.Inactive(1));

        var result = _gate.Admit(ProofOf(1, LoginId.New(NowMs)));

        Assert.False(result.IsAdmitted);
        Assert.Equal(AdmissionRejection.UserInactive, result.Rejection);
        Assert.Null(result.User);
    }

    [Fact]
    public void RevokedLogin_IsLoginRevoked()
    {
        _users.Set(1, TestUsers.Active(1));
        var login = LoginId.New(NowMs);
        _revocations.Revoke(login, NowSeconds + 3600);

        var result = _gate.Admit(ProofOf(1, login));

        Assert.False(result.IsAdmitted);
        Assert.Equal(AdmissionRejection.LoginRevoked, result.Rejection);
        Assert.Null(result.User);
    }

    [Fact]
    public void RevokingOneLogin_LeavesTheUsersOtherLoginsAdmitted()
    {
        _users.Set(1, TestUsers.Active(1));
        var revoked = LoginId.New(NowMs);
        var other = LoginId.New(NowMs);
        _revocations.Revoke(revoked, NowSeconds + 3600);

        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(ProofOf(1, revoked)).Rejection);
        Assert.True(_gate.Admit(ProofOf(1, other)).IsAdmitted);
    }

    [Fact]
    public void LoginMadeBeforeRevokedBefore_IsLoginRevoked()
    {
        _users.Set(1, TestUsers.Active(1, revokedBeforeMs: NowMs));

        var result = _gate.Admit(ProofOf(1, LoginId.New(NowMs - 1)));

        Assert.False(result.IsAdmitted);
        Assert.Equal(AdmissionRejection.LoginRevoked, result.Rejection);
    }

    [Fact]
    public void LoginMadeAtExactlyRevokedBefore_IsAdmitted()
    {
        _users.Set(1, TestUsers.Active(1, revokedBeforeMs: NowMs));

        var result = _gate.Admit(ProofOf(1, LoginId.New(NowMs)));

        Assert.True(result.IsAdmitted);
    }

    [Fact]
    public void LoginMadeAfterRevokedBefore_IsAdmitted()
    {
        _users.Set(1, TestUsers.Active(1, revokedBeforeMs: NowMs));

        Assert.True(_gate.Admit(ProofOf(1, LoginId.New(NowMs + 1))).IsAdmitted);
        Assert.True(_gate.Admit(ProofOf(1, LoginId.New(NowMs + 86_400_000))).IsAdmitted);
    }

    [Fact]
    public void RevokedBefore_UsesTheProofsLoginTime()
    {
        // A foreign token: no login id, only iat (as milliseconds).
        _users.Set(1, TestUsers.Active(1, revokedBeforeMs: NowMs));

        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(Proof(1, login: null, loginTimeMs: NowMs - 500)).Rejection);
        Assert.True(_gate.Admit(Proof(1, login: null, loginTimeMs: NowMs)).IsAdmitted);
    }

    [Fact]
    public void ProofWithoutLoginTime_IsNotGovernedByRevokedBefore()
    {
        _users.Set(1, TestUsers.Active(1, revokedBeforeMs: long.MaxValue));

        // API keys, sessions, DRF tokens: no login time.
        Assert.True(_gate.Admit(Proof(1)).IsAdmitted);
        // Even one naming a login made long before, if the scheme gives no time for it.
        Assert.True(_gate.Admit(Proof(1, LoginId.New(0), loginTimeMs: null)).IsAdmitted);
    }

    [Fact]
    public void ProofWithoutLoginTime_StillRefusesARevokedLogin()
    {
        _users.Set(1, TestUsers.Active(1));
        var login = LoginId.New(NowMs);
        _revocations.Revoke(login, NowSeconds + 60);

        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(Proof(1, login, loginTimeMs: null)).Rejection);
    }

    [Fact]
    public void AllowRevokedLogin_AdmitsARevokedLoginOfAnActiveUser()
    {
        var alice = TestUsers.Active(1);
        _users.Set(1, alice);
        var login = LoginId.New(NowMs);
        _revocations.Revoke(login, NowSeconds + 3600);

        var result = _gate.Admit(ProofOf(1, login), allowRevokedLogin: true);

        Assert.True(result.IsAdmitted);
        Assert.Same(alice, result.User);
        // Without the flag the same proof is refused.
        Assert.Equal(AdmissionRejection.LoginRevoked, _gate.Admit(ProofOf(1, login)).Rejection);
    }

    [Fact]
    public void AllowRevokedLogin_AdmitsALoginMadeBeforeRevokedBefore()
    {
        _users.Set(1, TestUsers.Active(1, revokedBeforeMs: NowMs));

        Assert.True(_gate.Admit(ProofOf(1, LoginId.New(NowMs - 1)), allowRevokedLogin: true).IsAdmitted);
    }

    [Fact]
    public void AllowRevokedLogin_StillRefusesAnUnknownUser()
    {
        var login = LoginId.New(NowMs);
        _revocations.Revoke(login, NowSeconds + 3600);

        Assert.Equal(AdmissionRejection.UserNotFound, _gate.Admit(ProofOf(7, login), allowRevokedLogin: true).Rejection);
        Assert.Equal(AdmissionRejection.UserNotFound, _gate.Admit(ProofOf(7, LoginId.New(NowMs)), allowRevokedLogin: true).Rejection);
    }

    [Fact]
    public void AllowRevokedLogin_StillRefusesAnInactiveUser()
    {
        _users.Set(1, TestUsers.Inactive(1));
        var login = LoginId.New(NowMs);
        _revocations.Revoke(login, NowSeconds + 3600);

        Assert.Equal(AdmissionRejection.UserInactive, _gate.Admit(ProofOf(1, login), allowRevokedLogin: true).Rejection);
        Assert.Equal(AdmissionRejection.UserInactive, _gate.Admit(ProofOf(1, LoginId.New(NowMs)), allowRevokedLogin: true).Rejection);
    }

    [Fact]
    public void Deactivation_And_Deletion_TakeEffectOnTheNextAdmit()
    {
        var login = LoginId.New(NowMs);
        _users.Set(1, TestUsers.Active(1));
        Assert.True(_gate.Admit(ProofOf(1, login)).IsAdmitted);

        _users.Set(1, TestUsers.Inactive(1));
        Assert.Equal(AdmissionRejection.UserInactive, _gate.Admit(ProofOf(1, login)).Rejection);

        _users.Set(1, null);
        Assert.Equal(AdmissionRejection.UserNotFound, _gate.Admit(ProofOf(1, login)).Rejection);
    }
}
