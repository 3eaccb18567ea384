using Tessera.Core.Revocation;

namespace Tessera.Core.Tests.Revocation;

public class LoginIdTests
{
    private const long Ms2023 = 1_700_000_000_123;

    /// <summary>2100-01-01T00:00:00.999Z.</summary>
    private static readonly long Ms2100 = new DateTimeOffset(2100, 1, 1, 0, 0, 0, 999, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(Ms2023)]
    public void New_RoundTripsThroughText(long ms)
    {
        var id = LoginId.New(ms);
        var text = id.ToString();

        Assert.True(LoginId.TryParse(text, out var parsed));
        Assert.Equal(id, parsed);
        Assert.Equal(text, parsed.ToString());
        Assert.Equal(ms, parsed.CreatedAtMs);
    }

    [Fact]
    public void ToString_IsExactly28LowercaseHex()
    {
        for (var i = 0; i < 200; i++)
        {
            var text = LoginId.New(Ms2023 + i).ToString();
            Assert.Equal(28, text.Length);
            Assert.Equal(LoginId.Length, text.Length);
            Assert.Matches("^[0-9a-f]{28}$", text);
        }
    }

    [Fact]
    public void ToString_PadsSmallValuesToFullLength()
    {
        var text = new LoginId(0, 1).ToString();
        Assert.Equal("0000000000000000000000000001", text);
        Assert.True(LoginId.TryParse(text, out var parsed));
        Assert.Equal(new LoginId(0, 1), parsed);
    }

    [Fact]
    public void ToString_StartsWithTheCreationTimeInHex()
    {
        var text = LoginId.New(Ms2023).ToString();
        Assert.StartsWith(Ms2023.ToString("x12", System.Globalization.CultureInfo.InvariantCulture), text);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(Ms2023)]
    [InlineData(4_102_444_800_999L)] // 2100-01-01T00:00:00.999Z
    [InlineData(253_402_300_799_999L)] // 9999-12-31T23:59:59.999Z
    public void CreatedAtMs_IsTheMillisecondGivenToNew(long ms)
    {
        var id = LoginId.New(ms);
        Assert.Equal(ms, id.CreatedAtMs);
        Assert.True(LoginId.TryParse(id.ToString(), out var parsed));
        Assert.Equal(ms, parsed.CreatedAtMs);
    }

    [Fact]
    public void CreatedAtMs_SurvivesYear2100()
    {
        Assert.Equal(4_102_444_800_999L, Ms2100);
        var id = LoginId.New(Ms2100);
        Assert.Equal(Ms2100, id.CreatedAtMs);
        Assert.Equal(new DateTimeOffset(2100, 1, 1, 0, 0, 0, 999, TimeSpan.Zero), DateTimeOffset.FromUnixTimeMilliseconds(id.CreatedAtMs));
    }

    [Fact]
    public void New_ForTheSameMillisecond_GivesDistinctIds()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => LoginId.New(Ms2023)).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.Count, ids.Select(i => i.ToString()).Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Equal(Ms2023, id.CreatedAtMs));
    }

    [Fact]
    public void New_TwoCallsForTheSameMillisecondDiffer()
    {
        Assert.NotEqual(LoginId.New(Ms2023), LoginId.New(Ms2023));
    }

    [Fact]
    public void LaterMillisecond_SortsLaterAsText()
    {
        var earlier = LoginId.New(Ms2023).ToString();
        var later = LoginId.New(Ms2023 + 1).ToString();
        Assert.True(string.CompareOrdinal(earlier, later) < 0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("018bcfe56800abcdef012345678")] // 27
    [InlineData("018bcfe56800abcdef0123456789")] // 28, valid control below
    [InlineData("018bcfe56800abcdef01234567890")] // 29
    [InlineData("018bcfe56800abcdef0123456789018bcfe56800abcdef0123456789")] // 56
    public void TryParse_AcceptsOnlyLength28(string text)
    {
        Assert.Equal(text.Length == 28, LoginId.TryParse(text, out _));
    }

    [Theory]
    [InlineData("018BCFE56800ABCDEF0123456789")] // all uppercase
    [InlineData("018bcfe56800abcdef012345678A")] // one uppercase at the end
    [InlineData("018bcfE56800abcdef0123456789")] // one uppercase in the high half
    [InlineData("018bcfe56800Abcdef0123456789")] // one uppercase in the low half
    public void TryParse_RejectsUppercase(string text)
    {
        Assert.False(LoginId.TryParse(text, out var id));
        Assert.Equal(default, id);
    }

    [Theory]
    [InlineData("018bcfe56800abcdef012345678g")]
    [InlineData("g18bcfe56800abcdef0123456789")]
    [InlineData("018bcfe56800abcd-f0123456789")]
    [InlineData("018bcfe56800abcdef012345678 ")]
    [InlineData(" 018bcfe56800abcdef012345678")]
    [InlineData("0x8bcfe56800abcdef0123456789")]
    [InlineData("018bcfe56800abcd+f0123456789")]
    [InlineData("018bcfe56800abcdef012345678\u0000")]
    [InlineData("018bcfe56800abcdef012345678\u0663")] // Arabic-Indic digit three
    [InlineData("018bcfe56800abcdef012345678\uff41")] // fullwidth 'a'
    public void TryParse_RejectsNonHex(string text)
    {
        Assert.Equal(28, text.Length);
        Assert.False(LoginId.TryParse(text, out var id));
        Assert.Equal(default, id);
    }

    [Theory]
    [InlineData("018bcfe56800abcdef0123456789")]
    [InlineData("0000000000000000000000000001")]
    [InlineData("ffffffffffffffffffffffffffff")]
    [InlineData("018BCFE56800ABCDEF0123456789")]
    [InlineData("018bcfe56800abcdef012345678A")]
    [InlineData("018bcfe56800abcdef012345678g")]
    [InlineData("018bcfe56800abcdef012345678 ")]
    [InlineData("018bcfe56800abcdef012345678\u0663")]
    [InlineData("018bcfe56800abcdef01234567é")] // 28 bytes of UTF-8, 27 characters
    [InlineData("018bcfe56800abcdef012345678")]
    [InlineData("")]
    public void TryParseUtf8_AgreesWithTheTextForm(string text)
    {
        bool parsed = LoginId.TryParse(text, out var expected);

        Assert.Equal(parsed, LoginId.TryParseUtf8(System.Text.Encoding.UTF8.GetBytes(text), out var id));
        Assert.Equal(expected, id);
    }

    [Fact]
    public void TryParseUtf8_RoundTripsNewIds()
    {
        for (var i = 0; i < 200; i++)
        {
            var login = LoginId.New(Ms2023 + i);
            Assert.True(LoginId.TryParseUtf8(System.Text.Encoding.ASCII.GetBytes(login.ToString()), out var parsed));
            Assert.Equal(login, parsed);
        }
    }

    [Fact]
    public void TryParse_RejectsNull()
    {
        Assert.False(LoginId.TryParse(null, out var id));
        Assert.Equal(default, id);
    }
}
