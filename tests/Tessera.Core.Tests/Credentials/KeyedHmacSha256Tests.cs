using System.Security.Cryptography;
using Tessera.Core.Credentials;

namespace Tessera.Core.Tests.Credentials;

/// <summary>The reused keyed context per thread is HMAC-SHA256, call after call and thread by thread.</summary>
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

    [Fact]
    public void Keys_longer_than_a_block_are_hashed_first_as_RFC_2104_says()
    {
        foreach (var length in new[] { 1, 63, 64, 65, 200 })
        {
            var key = RandomNumberGenerator.GetBytes(length);
            using var hmac = new KeyedHmacSha256(key);
            var mac = new byte[32];
            hmac.Compute("payload"u8, mac);
            Assert.Equal(HMACSHA256.HashData(key, "payload"u8.ToArray()), mac);
        }
    }

    // RFC 4231, test cases 1, 2, 3, 4, 6 and 7 (5 truncates the output): key, data, HMAC-SHA256.
    public static TheoryData<string, string, string> Rfc4231 => new()
    {
        { "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
        { "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
        { new string('a', 40), new string('d', 100), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
        { "0102030405060708090a0b0c0d0e0f10111213141516171819", string.Concat(Enumerable.Repeat("cd", 50)), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
        { new string('a', 262), "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
        { new string('a', 262), "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e", "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
    };

    [Theory]
    [MemberData(nameof(Rfc4231))]
    public void Hmac_gives_RFC_4231s_vectors(string key, string data, string expected)
    {
        using var hmac = new KeyedHmacSha256(Convert.FromHexString(key));
        var mac = new byte[32];
        hmac.Compute(Convert.FromHexString(data), mac);
        Assert.Equal(expected, Convert.ToHexStringLower(mac));
    }
}
