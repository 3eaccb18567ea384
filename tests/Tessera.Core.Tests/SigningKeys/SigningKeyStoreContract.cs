using Tessera.Core.Revocation;
using Tessera.Core.SigningKeys;

namespace Tessera.Tests.Contracts;

/// <summary>
/// What every <see cref="ISigningKeyStore"/> must do for the keeper and <see cref="AdmissionChanges"/>,
/// run against each store (the EF store in Tessera.Server.Tests, which links this file; the
/// in-memory one here): the unique generation decides a rotation race, an expiry is set once, a
/// retirement writes its row, the promotion and its change together and only once, and expired rows go.
/// </summary>
public abstract class SigningKeyStoreContract
{
    /// <summary>A store on the storage under test; each call may be a new unit of work.</summary>
    protected abstract ISigningKeyStore CreateStore();

    private static StoredSigningKey Row(long generation, long signsFrom, string? kid = null) => new()
    {
        KeyId = kid ?? "k" + Guid.NewGuid().ToString("N")[..20],
        Algorithm = "ES256",
        Generation = generation,
        PublicJwk = "{}",
        ProtectedPrivateKey = [1, 2, 3],
        CreatedAt = 1000,
        SignsFrom = signsFrom,
    };

    [Fact]
    public async Task A_generation_is_made_once_among_racing_instances()
    {
        var racers = Enumerable.Range(0, 8).Select(_ => Row(1, 1000)).ToList();

        var won = await Task.WhenAll(racers.Select(r => Task.Run(() => CreateStore().TryInsertAsync(r))));

        Assert.Single(won, w => w);
        var rows = await CreateStore().ListAsync();
        Assert.Single(rows);
        Assert.Equal(racers[Array.IndexOf(won, true)].KeyId, rows[0].KeyId);
    }

    [Fact]
    public async Task An_expiry_is_set_once()
    {
        var row = Row(1, 1000);
        await CreateStore().TryInsertAsync(row);

        await CreateStore().SetExpiresAtAsync(row.KeyId, 5000);
        await CreateStore().SetExpiresAtAsync(row.KeyId, 9000);

        Assert.Equal(5000, (await CreateStore().ListAsync()).Single().ExpiresAt);
    }

    [Fact]
    public async Task A_retirement_writes_the_row_the_promotion_and_one_change_once()
    {
        var signer = Row(1, 1000);
        var next = Row(2, 9000);
        await CreateStore().TryInsertAsync(signer);
        await CreateStore().TryInsertAsync(next);
        var retirement = new SigningKeyRetirement(signer.KeyId, 2000, 7000, next.KeyId);

        var change = await CreateStore().RetireAsync(retirement);
        var again = await CreateStore().RetireAsync(retirement);

        Assert.NotNull(change);
        Assert.Equal((AdmissionChangeKind.SigningKeyRetired, signer.KeyId, 7000L), (change.Kind, change.LoginId, change.ExpiresAt));
        Assert.Null(again);
        var rows = (await CreateStore().ListAsync()).ToDictionary(r => r.KeyId);
        Assert.Equal((2000L, 7000L), (rows[signer.KeyId].RetiredAt, rows[signer.KeyId].ExpiresAt));
        Assert.Equal(2000, rows[next.KeyId].SignsFrom);
        Assert.Null(await CreateStore().RetireAsync(new SigningKeyRetirement("no-such-key", 2000, 7000, null)));
    }

    [Fact]
    public async Task Expired_rows_are_swept_and_the_others_stay()
    {
        var old = Row(1, 1000);
        var current = Row(2, 2000);
        await CreateStore().TryInsertAsync(old);
        await CreateStore().TryInsertAsync(current);
        await CreateStore().SetExpiresAtAsync(old.KeyId, 3000);

        Assert.Equal(0, await CreateStore().RemoveExpiredAsync(DateTimeOffset.FromUnixTimeSeconds(2999)));
        Assert.Equal(1, await CreateStore().RemoveExpiredAsync(DateTimeOffset.FromUnixTimeSeconds(3000)));

        Assert.Equal([current.KeyId], (await CreateStore().ListAsync()).Select(r => r.KeyId));
    }
}
