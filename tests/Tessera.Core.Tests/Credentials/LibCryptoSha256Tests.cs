using System.Security.Cryptography;
using Tessera.Core.Credentials;

namespace Tessera.Core.Tests.Credentials;

/// <summary>libcrypto's SHA-256 and the HMAC over precomputed pads: RFC 4231's vectors, and the BCL's answers everywhere else.</summary>
public sealed class LibCryptoSha256Tests
{
    [Fact]
    public void Is_the_path_taken_on_Linux()
    {
        // The request path's speed rests on it (issue 9's validation target): a silent fall-back
        // to the BCL on the machines we ship to would show only in a benchmark.
        Assert.Equal(OperatingSystem.IsLinux(), LibCryptoSha256.IsAvailable);
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
        if (!LibCryptoSha256.IsAvailable)
            return; // not Linux: Is_the_path_taken_on_Linux says so
        var mac = new byte[32];
        LibCryptoSha256.Hmac(LibCryptoSha256.PrepareHmac(Convert.FromHexString(key)), Convert.FromHexString(data), mac);
        Assert.Equal(expected, Convert.ToHexStringLower(mac));
    }

    [Fact]
    public void Hmac_and_hash_equal_the_BCLs_for_random_keys_and_inputs_of_every_length_up_to_past_the_GC_transition_limit()
    {
        if (!LibCryptoSha256.IsAvailable)
            return; // not Linux: Is_the_path_taken_on_Linux says so
        var random = new Random(20261205);
        var mac = new byte[32];
        var lengths = Enumerable.Range(0, 200).Concat([1023, 1024, 16 * 1024, 16 * 1024 + 1, 100_000]);
        foreach (var length in lengths)
        {
            var key = new byte[random.Next(1, 200)];
            random.NextBytes(key);
            var input = new byte[length];
            random.NextBytes(input);
            LibCryptoSha256.Hmac(LibCryptoSha256.PrepareHmac(key), input, mac);
            Assert.Equal(HMACSHA256.HashData(key, input), mac);
            LibCryptoSha256.Hash(input, mac);
            Assert.Equal(SHA256.HashData(input), mac);
        }
    }

    [Fact]
    public void Refuses_a_destination_too_small_and_states_of_another_size()
    {
        if (!LibCryptoSha256.IsAvailable)
            return; // not Linux: Is_the_path_taken_on_Linux says so
        var states = LibCryptoSha256.PrepareHmac([1, 2, 3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => LibCryptoSha256.Hmac(states, [4], new byte[31]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LibCryptoSha256.Hmac(states.AsSpan(1), [4], new byte[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LibCryptoSha256.Hash([4], new byte[31]));
    }
}
