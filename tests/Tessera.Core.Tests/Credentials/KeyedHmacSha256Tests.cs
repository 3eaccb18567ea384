using System.Security.Cryptography;
using Tessera.Core.Credentials;

namespace Tessera.Core.Tests.Credentials;

public sealed class KeyedHmacSha256Tests
{
    [Fact]
    public async Task Equals_the_one_shot_for_every_length_on_every_thread_at_once()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var hmac = new KeyedHmacSha256(key);
        var inputs = Enumerable.Range(0, 300).Select(RandomNumberGenerator.GetBytes).ToArray();
        await Parallel.ForAsync(0, 4 * inputs.Length, (i, _) =>
        {
            var input = inputs[i % inputs.Length];
            Span<byte> mac = stackalloc byte[KeyedHmacSha256.MacSize];
            hmac.Compute(input, mac);
            Assert.True(mac.SequenceEqual(HMACSHA256.HashData(key, input)), $"length {input.Length}");
            return ValueTask.CompletedTask;
        });
    }

    [Fact]
    public void A_refused_destination_leaves_nothing_behind()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var hmac = new KeyedHmacSha256(key);
        Assert.Throws<ArgumentOutOfRangeException>(() => hmac.Compute([1, 2, 3], new byte[16]));
        var mac = new byte[32];
        hmac.Compute([4, 5], mac);
        Assert.Equal(HMACSHA256.HashData(key, new byte[] { 4, 5 }), mac);
    }
}
