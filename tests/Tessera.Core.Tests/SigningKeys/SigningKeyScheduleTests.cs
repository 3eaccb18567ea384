using System.Text;
using Tessera.Core.Jwt;
using Tessera.Core.SigningKeys;
using Tessera.Core.Tests.Throttling;

namespace Tessera.Core.Tests.SigningKeys;

/// <summary>
/// The rotation schedule with a fake clock, as verifiers see it through the live ring: a new key is
/// published a day before it signs, takes over after the rotation interval, and the old one keeps
/// verifying until the last token it signed has expired, then leaves.
/// </summary>
public sealed class SigningKeyScheduleTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly ManualTimeProvider _clock = new();
    private readonly InMemorySigningKeyStore _store = new();
    private readonly SigningKeyOptions _options = new();
    private readonly JwtOptions _jwt = new() { Algorithm = "ES256" };
    private readonly JwsKeyRing _ring = new(new JwsKeySet(null, []));

    private SigningKeyRingKeeper Keeper(JwsKeyRing? ring = null, string algorithm = "ES256")
        => new(ring ?? _ring, new SigningKeyProtector("protection-key-0123456789-0123456789", "Tessera:SigningKeys:ProtectionKey"), _options,
            algorithm == _jwt.Algorithm ? _jwt : new JwtOptions { Algorithm = algorithm }, _clock);

    private string Sign(JwsKeyRing? ring = null) => new JwsCodec(ring ?? _ring).Encode("{\"sub\":\"1\"}"u8);

    private bool Verifies(string token, JwsKeyRing? ring = null) => new JwsCodec(ring ?? _ring).Decode(token).Success;

    private static string KidOf(string token)
        => System.Text.Json.JsonDocument.Parse(Base64Url(token.Split('.')[0])).RootElement.GetProperty("kid").GetString()!;

    private static byte[] Base64Url(string s) => Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/').PadRight(s.Length + (4 - s.Length % 4) % 4, '='));

    private long Now => _clock.GetUtcNow().ToUnixTimeSeconds();

    [Fact]
    public async Task The_first_start_makes_generation_one_signing_at_once()
    {
        await Keeper().RefreshAsync(_store);

        var row = Assert.Single(await _store.ListAsync());
        Assert.Equal((1L, Now, Now, "ES256"), (row.Generation, row.CreatedAt, row.SignsFrom, row.Algorithm));
        Assert.Equal(row.KeyId, _ring.Current.Signing?.KeyId);
        Assert.Equal(22, row.KeyId.Length);
        Assert.True(Verifies(Sign()));
    }

    [Fact]
    public async Task The_next_key_is_published_ahead_then_signs_and_the_old_one_verifies_until_its_last_token_expires()
    {
        var keeper = Keeper();
        await keeper.RefreshAsync(_store);
        var first = _ring.Current.Signing!.KeyId!;

        // Not yet due one second before RotationInterval - PublishAhead.
        _clock.Advance(_options.RotationInterval - _options.PublishAhead - TimeSpan.FromSeconds(1));
        await keeper.RefreshAsync(_store);
        Assert.Single(await _store.ListAsync());

        // Due: published now, still not signing.
        _clock.Advance(TimeSpan.FromSeconds(1));
        await keeper.RefreshAsync(_store);
        var next = (await _store.ListAsync()).Single(r => r.Generation == 2);
        Assert.Equal(Now + (long)_options.PublishAhead.TotalSeconds, next.SignsFrom);
        Assert.Equal(first, KidOf(Sign()));
        Assert.Contains(_ring.Current.Keys, k => k.KeyId == next.KeyId);
        var lastOfFirst = Sign();

        // After PublishAhead the next key signs; the first still verifies its tokens.
        _clock.Advance(_options.PublishAhead);
        await keeper.RefreshAsync(_store);
        Assert.Equal(next.KeyId, KidOf(Sign()));
        Assert.True(Verifies(lastOfFirst));
        var firstRow = (await _store.ListAsync()).Single(r => r.KeyId == first);
        Assert.Equal(next.SignsFrom + (long)_jwt.LongestTokenLifetime.TotalSeconds, firstRow.ExpiresAt);

        // Until the longest token lifetime has passed since the switch; then it leaves the ring.
        _clock.Advance(_jwt.LongestTokenLifetime - TimeSpan.FromSeconds(1));
        await keeper.RefreshAsync(_store);
        Assert.True(Verifies(lastOfFirst));
        _clock.Advance(TimeSpan.FromSeconds(1));
        await keeper.RefreshAsync(_store);
        Assert.False(Verifies(lastOfFirst));
        Assert.DoesNotContain(_ring.Current.Keys, k => k.KeyId == first);
        Assert.Equal(1, await _store.RemoveExpiredAsync(_clock.GetUtcNow()));
    }

    [Fact]
    public async Task Instances_share_the_ring_and_a_key_made_by_one_is_used_by_the_other()
    {
        var otherRing = new JwsKeyRing(new JwsKeySet(null, []));
        await Keeper().RefreshAsync(_store);
        await Keeper(otherRing).RefreshAsync(_store);

        Assert.True(Verifies(Sign(), otherRing));
        Assert.True(Verifies(Sign(otherRing)));
        Assert.Single(await _store.ListAsync());
    }

    [Fact]
    public async Task Retiring_the_signer_hands_over_to_the_published_next_key_at_once()
    {
        var keeper = Keeper();
        await keeper.RefreshAsync(_store);
        _clock.Advance(_options.RotationInterval - _options.PublishAhead);
        await keeper.RefreshAsync(_store);
        var rows = await _store.ListAsync();
        var (signer, next) = (rows.Single(r => r.Generation == 1), rows.Single(r => r.Generation == 2));
        var old = Sign();

        var retirement = SigningKeySchedule.Retire(rows, signer.KeyId, Now, _jwt.LongestTokenLifetime)!;
        Assert.Equal(next.KeyId, retirement.PromotedKeyId);
        var change = await _store.RetireAsync(retirement);
        keeper.Retire(change!.LoginId!, change.ExpiresAt);

        Assert.False(Verifies(old));
        Assert.Equal(next.KeyId, KidOf(Sign()));
        await keeper.RefreshAsync(_store); // what the database says agrees
        Assert.Equal(next.KeyId, KidOf(Sign()));
        Assert.Equal(2, (await _store.ListAsync()).Count);
    }

    [Fact]
    public async Task Retiring_the_signer_without_a_next_key_makes_a_new_generation_signing_at_once()
    {
        var keeper = Keeper();
        await keeper.RefreshAsync(_store);
        var old = Sign();
        var rows = await _store.ListAsync();

        var change = await _store.RetireAsync(SigningKeySchedule.Retire(rows, rows[0].KeyId, Now, _jwt.LongestTokenLifetime)!);
        keeper.Retire(change!.LoginId!, change.ExpiresAt);
        Assert.False(Verifies(old));
        Assert.Null(_ring.Current.Signing);
        // The keeper asks for a refresh at once rather than at the next interval.
        await keeper.WaitForRefreshRequestAsync(TimeSpan.Zero, CancellationToken.None);
        await keeper.RefreshAsync(_store);

        var made = (await _store.ListAsync()).Single(r => r.Generation == 2);
        Assert.Equal(Now, made.SignsFrom);
        Assert.Equal(made.KeyId, KidOf(Sign()));
        Assert.False(Verifies(old));
    }

    [Fact]
    public async Task A_refresh_that_read_the_rows_before_a_retirement_does_not_bring_the_key_back()
    {
        var keeper = Keeper();
        await keeper.RefreshAsync(_store);
        var old = Sign();
        var kid = KidOf(old);

        // The change arrives (bus) before the row's retirement is visible to this instance's read.
        keeper.Retire(kid, Now + 3600);
        await keeper.RefreshAsync(_store);

        Assert.False(Verifies(old));
        Assert.NotEqual(kid, KidOf(Sign()));
    }

    [Fact]
    public async Task A_change_of_algorithm_rotates_through_the_schedule()
    {
        await Keeper().RefreshAsync(_store);
        var es256 = Sign();

        var keeper = Keeper(algorithm: "RS256");
        await keeper.RefreshAsync(_store);
        Assert.Equal("ES256", _ring.Current.Signing!.Algorithm); // the new key is published first
        _clock.Advance(_options.PublishAhead);
        await keeper.RefreshAsync(_store);

        Assert.Equal("RS256", _ring.Current.Signing!.Algorithm);
        Assert.True(Verifies(es256));
    }

    [Fact]
    public void A_pending_next_key_retired_before_it_signs_supersedes_nothing()
    {
        var rows = new List<StoredSigningKey> { Row(1, 0), Row(2, 100) };
        var withdrawn = SigningKeySchedule.Apply(rows, SigningKeySchedule.Retire(rows, "k2", 50, Day)!);

        Assert.Equal("k1", SigningKeySchedule.Signer(withdrawn, 200)?.KeyId);
        Assert.Empty(SigningKeySchedule.Expiries(withdrawn, 200, Day));
        Assert.True(SigningKeySchedule.IsNextDue(withdrawn, 200, new SigningKeyOptions { RotationInterval = TimeSpan.FromSeconds(150), PublishAhead = TimeSpan.FromSeconds(10) }, "ES256"));
    }

    [Fact]
    public void States_follow_the_life_of_a_key()
    {
        var rows = new List<StoredSigningKey> { Row(1, 0, expiresAt: 500), Row(2, 100), Row(3, 300), Row(4, 400, retiredAt: 150) };

        Assert.Equal(
            [SigningKeyState.Published, SigningKeyState.Signing, SigningKeyState.Next, SigningKeyState.Retired],
            rows.Select(r => SigningKeySchedule.StateOf(r, rows, 200)));
        Assert.Equal(SigningKeyState.Expired, SigningKeySchedule.StateOf(rows[0], rows, 500));
        Assert.Null(SigningKeySchedule.Retire(rows, "k4", 200, Day));
        Assert.Null(SigningKeySchedule.Retire(rows, "unknown", 200, Day));
    }

    private static StoredSigningKey Row(long generation, long signsFrom, long? expiresAt = null, long? retiredAt = null) => new()
    {
        KeyId = "k" + generation, Algorithm = "ES256", Generation = generation, PublicJwk = "{}", ProtectedPrivateKey = [],
        CreatedAt = 0, SignsFrom = signsFrom, ExpiresAt = expiresAt, RetiredAt = retiredAt,
    };
}
