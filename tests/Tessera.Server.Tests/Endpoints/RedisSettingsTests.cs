using Tessera.Redis;

namespace Tessera.Server.Tests.Endpoints;

/// <summary>The <c>Tessera:Redis</c> section's checks, which stop the start with the setting's name.</summary>
public sealed class RedisSettingsTests
{
    private static RedisOptions Valid() => new() { Configuration = "127.0.0.1:6379" };

    [Fact]
    public void The_defaults_with_a_server_are_valid() => Assert.Empty(Valid().Validate());

    [Fact]
    public void Without_a_server_it_says_which_connection_string_is_missing()
        => Assert.Contains(new RedisOptions().Validate(), m => m.Contains("ConnectionStrings:Redis"));

    [Theory]
    [InlineData("00:00:00.005")]
    [InlineData("00:00:11")]
    public void An_acknowledge_timeout_out_of_range_is_refused(string timeout)
    {
        var options = Valid();
        options.AcknowledgeTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(options.Validate(), m => m.Contains("Tessera:Redis:AcknowledgeTimeout"));
    }

    [Theory]
    [InlineData("00:00:00.010")]
    [InlineData("00:00:10")]
    public void An_acknowledge_timeout_at_the_bounds_is_kept(string timeout)
    {
        var options = Valid();
        options.AcknowledgeTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Empty(options.Validate());
    }
}
