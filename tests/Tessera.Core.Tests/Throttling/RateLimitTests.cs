using Tessera.Core.Throttling;

namespace Tessera.Core.Tests.Throttling;

public sealed class RateLimitTests
{
    [Theory]
    [InlineData("100/day", 100, 86400)]
    [InlineData("1000/day", 1000, 86400)]
    [InlineData("10/minute", 10, 60)]
    [InlineData("5/second", 5, 1)]
    [InlineData("3/hour", 3, 3600)]
    [InlineData("3/h", 3, 3600)]
    [InlineData("7/m", 7, 60)]
    [InlineData("1/s", 1, 1)]
    [InlineData("2/dxyz", 2, 86400)] // DRF reads only the first letter
    [InlineData(" 20 / min ", 20, 60)]
    public void Parses_drf_rates(string text, int requests, int seconds)
    {
        var rate = RateLimit.Parse(text);
        Assert.Equal(requests, rate.Requests);
        Assert.Equal(TimeSpan.FromSeconds(seconds), rate.Period);
        Assert.True(RateLimit.TryParse(text, out var again, out var error));
        Assert.Equal(rate, again);
        Assert.Null(error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("100")]
    [InlineData("100/")]
    [InlineData("/day")]
    [InlineData("abc/day")]
    [InlineData("1.5/day")]
    [InlineData("-1/day")]
    [InlineData("+1/day")]
    [InlineData("0/day")]
    [InlineData("100/week")]
    [InlineData("100/Day")] // DRF is case-sensitive: 'D' is no period
    [InlineData("100/day/x")]
    [InlineData("99999999999/day")]
    [InlineData("100000000/s")] // more than one per tick
    public void Rejects_invalid_rates_with_a_message(string? text)
    {
        Assert.False(RateLimit.TryParse(text, out var rate, out var error));
        Assert.Null(rate);
        Assert.False(string.IsNullOrWhiteSpace(error));
        var thrown = Assert.Throws<FormatException>(() => RateLimit.Parse(text));
        Assert.Equal(error, thrown.Message);
    }

    [Fact]
    public void Error_names_the_rate_and_the_expected_form()
    {
        RateLimit.TryParse("100/week", out _, out var error);
        Assert.Contains("\"100/week\"", error, StringComparison.Ordinal);
        Assert.Contains("\"100/day\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Formats_back()
    {
        Assert.Equal("100/day", RateLimit.Parse("100/d").ToString());
        Assert.Equal("10/minute", RateLimit.Parse("10/minute").ToString());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(10_000_000, 1)]
    [InlineData(10_000_001, 2)]
    [InlineData(864_000_000, 87)] // 86.4 s
    public void Waits_round_up_to_whole_seconds(long ticks, int seconds)
        => Assert.Equal(seconds, ThrottleMessages.ToSeconds(TimeSpan.FromTicks(ticks)));

    [Fact]
    public void Messages_are_drfs()
    {
        Assert.Equal("Request was throttled. Expected available in 1 second.", ThrottleMessages.Throttled(1));
        Assert.Equal("Request was throttled. Expected available in 87 seconds.", ThrottleMessages.Throttled(87));
        Assert.Equal("Too many failed login attempts. Try again in 900 seconds.", ThrottleMessages.TooManyLoginAttempts(900));
        Assert.Equal("Too many failed login attempts. Try again in 1 second.", ThrottleMessages.TooManyLoginAttempts(1));
    }
}
