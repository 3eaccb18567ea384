using System.Security.Cryptography;
using Tessera.Core.Credentials;
using Tessera.Core.OpaqueTokens;
using Tessera.Core.Revocation;
using Tessera.Core.Tests.Throttling;
using Tessera.Core.Users;

namespace Tessera.Core.Tests.Credentials;

public sealed class RememberedCredentialsTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly CredentialSeal _seal = new();
    private readonly RevocationState _revocations = new();
    private readonly UserSnapshots _users = new();
    private readonly Dictionary<string, OpaqueToken> _table = new();
    private int _reads;

    public RememberedCredentialsTests()
    {
        _seal.Load(RandomNumberGenerator.GetBytes(CredentialSeal.KeySize));
        _users.Set(7, new UserSnapshot(7, "alice", "", IsActive: true, IsStaff: false, IsSuperuser: false, RevocationEpoch: 3));
    }

    private RememberedCredentials Memory(TimeSpan? lifetime = null, int capacity = 1000)
        => new(_seal, _revocations, _users, _clock, lifetime ?? TimeSpan.FromMinutes(5), capacity);

    private string Mint(long? expiresAt = null, long epoch = 3)
    {
        var key = OpaqueTokenKeys.New(_seal);
        _table[OpaqueSecret.Hash(key)] = new OpaqueToken
        {
            KeyHash = OpaqueSecret.Hash(key),
            Prefix = key[..8],
            UserId = 7,
            CreatedAt = _clock.GetUtcNow().ToUnixTimeSeconds(),
            ExpiresAt = expiresAt,
            Epoch = epoch,
        };
        return key;
    }

    private ValueTask<FoundCredential?> FindAsync(RememberedCredentials memory, string key)
        => memory.FindAsync(OpaqueTokenKeys.Format, key, this, static (self, hash, _) =>
        {
            self._reads++;
            return Task.FromResult<IStoredCredential?>(self._table.GetValueOrDefault(hash));
        });

    [Fact]
    public async Task A_credential_is_read_once_then_answered_from_memory_until_its_time_is_up()
    {
        var memory = Memory(TimeSpan.FromMinutes(5));
        var key = Mint();

        for (var i = 0; i < 10; i++)
            Assert.NotNull(await FindAsync(memory, key));
        Assert.Equal(1, _reads);

        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.NotNull(await FindAsync(memory, key));
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task Unsealed_secrets_are_never_read_and_sealed_missing_ones_are_read_once()
    {
        var memory = Memory();
        for (var i = 0; i < 1000; i++)
            Assert.Null(await FindAsync(memory, RandomNumberGenerator.GetHexString(40, lowercase: true)));
        Assert.Equal(0, _reads);

        var deleted = Mint();
        _table.Clear();
        for (var i = 0; i < 10; i++)
            Assert.Null(await FindAsync(memory, deleted));
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task Secrets_from_before_the_seal_are_read_like_sealed_ones()
    {
        var memory = Memory();
        var legacy = RandomNumberGenerator.GetHexString(40, lowercase: true);
        _table[OpaqueSecret.Hash(legacy)] = new OpaqueToken { KeyHash = OpaqueSecret.Hash(legacy), Prefix = legacy[..8], UserId = 7, Epoch = 3 };
        memory.SetUnsealed([OpaqueSecret.Hash(legacy)]);

        Assert.NotNull(await FindAsync(memory, legacy));
        Assert.Equal(1, memory.UnsealedCount);
    }

    [Fact]
    public async Task A_remembered_credential_whose_login_is_revoked_or_epoch_left_or_expiry_passed_is_missing()
    {
        var memory = Memory();
        var deleted = Mint();
        var changed = Mint();
        var expiring = Mint(expiresAt: _clock.GetUtcNow().ToUnixTimeSeconds() + 60);
        var found = (await FindAsync(memory, deleted))!;
        Assert.NotNull(await FindAsync(memory, changed));
        Assert.NotNull(await FindAsync(memory, expiring));
        var reads = _reads;

        _revocations.Revoke(found.Login, _clock.GetUtcNow().ToUnixTimeSeconds() + 3600);
        _users.Set(7, _users.Find(7)! with { RevocationEpoch = 4 });
        _table[OpaqueSecret.Hash(expiring)].Epoch = 4; // so that only its expiry is left to end it
        _clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Null(await FindAsync(memory, deleted));
        Assert.Null(await FindAsync(memory, changed));
        Assert.Null(await FindAsync(memory, expiring));
        Assert.Equal(reads, _reads); // all from memory
    }

    [Fact]
    public async Task Memory_stays_within_its_capacity()
    {
        var memory = Memory(capacity: 100);
        for (var i = 0; i < 1000; i++)
            Assert.NotNull(await FindAsync(memory, Mint()));
        Assert.InRange(memory.Count, 1, 100);
    }

    [Fact]
    public async Task Zero_lifetime_reads_every_time()
    {
        var memory = Memory(TimeSpan.Zero);
        var key = Mint();
        for (var i = 0; i < 3; i++)
            Assert.NotNull(await FindAsync(memory, key));
        Assert.Equal(3, _reads);
        Assert.Equal(0, memory.Count);
    }

    [Fact]
    public void Deleted_credentials_are_revoked_for_no_longer_than_memory_can_hold_them()
    {
        var now = _clock.GetUtcNow();
        var lasting = new OpaqueToken { KeyHash = new string('a', 64), Prefix = "aaaaaaaa" };
        var soon = new OpaqueToken { KeyHash = new string('b', 64), Prefix = "bbbbbbbb", ExpiresAt = now.ToUnixTimeSeconds() + 10 };

        Assert.Equal(now + RememberedCredentials.RevocationHorizon, lasting.RevokedUntil(now));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() + 10), soon.RevokedUntil(now));
        Assert.True(RememberedCredentials.RevocationHorizon > RememberedCredentials.MaxLifetime);
        Assert.Throws<ArgumentOutOfRangeException>(() => Memory(RememberedCredentials.MaxLifetime + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void A_stored_credentials_login_is_fixed_by_its_row()
    {
        var row = new OpaqueToken { KeyHash = OpaqueSecret.Hash("x"), Prefix = "x", CreatedAt = 1_700_000_000 };
        Assert.Equal(row.Login(), row.Login());
        Assert.Equal(1_700_000_000_000, row.Login().CreatedAtMs);
        Assert.NotEqual(row.Login(), new OpaqueToken { KeyHash = OpaqueSecret.Hash("y"), Prefix = "y", CreatedAt = 1_700_000_000 }.Login());
        Assert.True(LoginId.TryParse(row.Login().ToString(), out var parsed) && parsed == row.Login());
    }
}
