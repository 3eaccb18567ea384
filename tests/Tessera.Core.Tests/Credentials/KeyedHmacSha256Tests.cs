using System.Security.Cryptography;
using Tessera.Core.Credentials;

namespace Tessera.Core.Tests.Credentials;

/// <summary>Both ways of computing it (libcrypto's hashed pads, the BCL's keyed context per thread) are HMAC-SHA256.</summary>
public sealed class KeyedHmacSha256Tests
{
    public static TheoryData<bool> Paths => [true, false];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Equals_the_one_shot_for_every_length_on_every_thread_at_once(bool useLibCrypto)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var hmac = new KeyedHmacSha256(key, useLibCrypto);
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

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_refused_destination_leaves_nothing_behind(bool useLibCrypto)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var hmac = new KeyedHmacSha256(key, useLibCrypto);
        Assert.Throws<ArgumentOutOfRangeException>(() => hmac.Compute([1, 2, 3], new byte[16]));
        var mac = new byte[32];
        hmac.Compute([4, 5], mac);
        Assert.Equal(HMACSHA256.HashData(key, new byte[] { 4, 5 }), mac);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Keys_longer_than_a_block_are_hashed_first_as_RFC_2104_says(bool useLibCrypto)
    {
        foreach (var length in new[] { 1, 63, 64, 65, 200 })
        {
            var key = RandomNumberGenerator.GetBytes(length);
            using var hmac = new KeyedHmacSha256(key, useLibCrypto);
            var mac = new byte[32];
            hmac.Compute("payload"u8, mac);
            Assert.Equal(HMACSHA256.HashData(key, "payload"u8.ToArray()), mac);
        }
    }
}
