using System.Security.Cryptography;
using Tessera.Core.Credentials;

namespace Tessera.Core.Tests.Credentials;

/// <summary>The word-at-a-time comparison agrees with the BCL's byte-by-byte one at every length and every differing position.</summary>
public sealed class FixedTimeTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(661)]
    public void Equal_only_when_every_byte_is(int length)
    {
        var left = RandomNumberGenerator.GetBytes(length);
        Assert.True(FixedTime.Equals(left, left.ToArray()));
        for (var i = 0; i < length; i++)
            foreach (var bit in new byte[] { 0x01, 0x80 })
            {
                var right = left.ToArray();
                right[i] ^= bit;
                Assert.False(FixedTime.Equals(left, right), $"a difference at byte {i} of {length} went unseen");
                Assert.Equal(CryptographicOperations.FixedTimeEquals(left, right), FixedTime.Equals(left, right));
            }
    }

    [Fact]
    public void Different_lengths_are_never_equal()
    {
        var bytes = RandomNumberGenerator.GetBytes(40);
        Assert.False(FixedTime.Equals(bytes, bytes.AsSpan(0, 39)));
        Assert.False(FixedTime.Equals(bytes.AsSpan(0, 0), bytes.AsSpan(0, 1)));
        Assert.False(FixedTime.Equals("abc".AsSpan(), "abcd".AsSpan()));
        Assert.True(FixedTime.Equals("token".AsSpan(), new string("token".AsSpan()).AsSpan()));
    }
}
