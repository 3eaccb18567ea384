using Tessera.Core.Revocation;

namespace Tessera.Tests.Contracts;

/// <summary>
/// What every <see cref="IRefreshTokenLedger"/> must do for <see cref="AdmissionChanges"/>, run against
/// each store (the EF store in Tessera.Server.Tests, which links this file; an in-memory store in
/// Tessera.Core.Tests). The reuse grace is decided by the owner, not the store, so it holds with both:
/// a second presentation within the grace is refused without revoking; after it, it is reuse and
/// revokes the login, in the same transaction.
/// </summary>
public abstract class RefreshTokenLedgerContract
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private readonly List<AdmissionChange> _published = new();
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    /// <summary>A ledger on the store under test; each call may be a new unit of work (a new scope).</summary>
    protected abstract IRefreshTokenLedger CreateLedger();

    /// <summary>Whether the store holds a revocation of <paramref name="login"/> (what a fresh instance would load).</summary>
    protected abstract Task<bool> IsRevokedAsync(LoginId login);

    /// <summary>A user the store accepts revocations for.</summary>
    protected abstract long UserId { get; }

    // Rotation writes the ledger only: the user store is never asked.
    private AdmissionChanges Owner() => new(store: null!, new RecordingBus(_published), CreateLedger());

    private RefreshRotation Presented(string jti, LoginId login, TimeSpan after)
        => new(jti, UserId, _now.AddHours(1), login, _now.AddHours(2), _now + after, Grace);

    private LoginId NewLogin() => LoginId.New(_now.ToUnixTimeMilliseconds());

    [Fact]
    public async Task The_first_rotation_wins_and_revokes_nothing()
    {
        var login = NewLogin();

        Assert.Equal(RotationOutcome.Rotated, await Owner().RotateRefreshTokenAsync(Presented("first-" + login, login, TimeSpan.Zero)));

        Assert.False(await IsRevokedAsync(login));
        Assert.Empty(_published);
    }

    [Fact]
    public async Task A_second_presentation_within_the_grace_is_refused_without_revoking()
    {
        var login = NewLogin();
        var jti = "grace-" + login;
        await Owner().RotateRefreshTokenAsync(Presented(jti, login, TimeSpan.Zero));

        Assert.Equal(RotationOutcome.ReusedWithinGrace, await Owner().RotateRefreshTokenAsync(Presented(jti, login, Grace - TimeSpan.FromMilliseconds(1))));

        Assert.False(await IsRevokedAsync(login));
        Assert.Empty(_published);
    }

    [Fact]
    public async Task A_second_presentation_after_the_grace_is_reuse_and_revokes_the_login()
    {
        var login = NewLogin();
        var jti = "reuse-" + login;
        await Owner().RotateRefreshTokenAsync(Presented(jti, login, TimeSpan.Zero));

        Assert.Equal(RotationOutcome.Reused, await Owner().RotateRefreshTokenAsync(Presented(jti, login, Grace)));

        Assert.True(await IsRevokedAsync(login));
        var revoked = Assert.Single(_published);
        Assert.Equal((AdmissionChangeKind.LoginRevoked, UserId, login.ToString()), (revoked.Kind, revoked.UserId, revoked.LoginId));
    }

    [Fact]
    public async Task A_logout_denies_the_token_and_revokes_its_login_and_a_second_one_is_not_first()
    {
        var login = NewLogin();
        var token = Presented("logout-" + login, login, TimeSpan.Zero);

        Assert.True(await Owner().BlacklistRefreshTokenAsync(token));
        Assert.False(await Owner().BlacklistRefreshTokenAsync(token));

        Assert.True(await IsRevokedAsync(login));
        // The token is used up: presenting it for rotation is refused, never a new pair.
        Assert.NotEqual(RotationOutcome.Rotated, await Owner().RotateRefreshTokenAsync(token));
    }

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
