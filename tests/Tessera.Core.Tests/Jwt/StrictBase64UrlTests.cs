using Tessera.Core.Jwt;

namespace Tessera.Core.Tests.Jwt;

public class StrictBase64UrlTests
{
    [Fact]
    public void Round_trips_every_length_and_matches_the_bcl()
    {
        var random = new Random(1);
        for (int n = 0; n < 100; n++)
        {
            byte[] data = new byte[n];
            random.NextBytes(data);
            string encoded = StrictBase64Url.Encode(data);

            Assert.Equal(TokenTestKit.B64(data), encoded);
            Assert.True(StrictBase64Url.IsCanonical(encoded));
            byte[] decoded = new byte[StrictBase64Url.DecodedLength(encoded.Length)];
            Assert.True(StrictBase64Url.TryDecode(encoded, decoded, out int written));
            Assert.Equal(n, written);
            Assert.Equal(data, decoded);
        }
    }

    [Theory]
    [InlineData("A")]       // impossible length
    [InlineData("AAAAA")]
    [InlineData("AB")]      // 4 spare bits not zero
    [InlineData("AAB")]     // 2 spare bits not zero
    [InlineData("AA==")]
    [InlineData("AA=")]
    [InlineData("A+A/")]
    [InlineData("AA A")]
    public void Non_canonical_text_is_refused(string text)
    {
        Assert.False(StrictBase64Url.IsCanonical(text));
        Assert.False(StrictBase64Url.TryDecode(text, new byte[16], out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("AA")]
    [InlineData("AAA")]
    [InlineData("AAAA")]
    [InlineData("-_-_")]
    public void Canonical_text_is_accepted(string text)
    {
        Assert.True(StrictBase64Url.IsCanonical(text));
    }
}
