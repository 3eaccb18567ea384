using Tessera.Core.Jwt;
using Tessera.Core.SigningKeys;

namespace Tessera.Core.Tests.SigningKeys;

public sealed class SigningKeyOptionsTests
{
    private static readonly JwtOptions Rs256 = new() { Algorithm = "RS256", SigningKey = new string('s', 32) };

    [Fact]
    public void The_defaults_are_valid()
        => Assert.Empty(new SigningKeyOptions().Validate(Rs256, isDevelopment: false));

    [Fact]
    public void Without_a_protection_key_or_a_signing_key_an_asymmetric_start_stops_with_one_line_naming_the_setting()
    {
        var problem = Assert.Single(new SigningKeyOptions().Validate(new JwtOptions { Algorithm = "RS256" }, isDevelopment: false));

        Assert.Contains("Tessera:SigningKeys:ProtectionKey is required", problem);
        Assert.DoesNotContain('\n', problem);
        Assert.Empty(new SigningKeyOptions().Validate(new JwtOptions { Algorithm = "HS256" }, isDevelopment: false));
        Assert.Empty(new SigningKeyOptions { ProtectionKey = new string('p', 32) }.Validate(new JwtOptions { Algorithm = "EdDSA" }, isDevelopment: false));
    }

    [Fact]
    public void A_short_protection_key_is_refused_outside_development()
    {
        Assert.Contains(new SigningKeyOptions { ProtectionKey = "short" }.Validate(Rs256, isDevelopment: false), p => p.Contains("ProtectionKey must be at least 32 bytes"));
        Assert.Empty(new SigningKeyOptions { ProtectionKey = "short" }.Validate(Rs256, isDevelopment: true));
    }

    [Theory]
    [InlineData("1.00:00:00", "1.00:00:00", "00:01:00", "01:00:00", "RotationInterval")]
    [InlineData("30.00:00:00", "-00:00:01", "00:01:00", "00:00:00", "PublishAhead")]
    [InlineData("30.00:00:00", "1.00:00:00", "00:00:00", "01:00:00", "RefreshInterval")]
    [InlineData("30.00:00:00", "00:01:00", "00:01:00", "00:00:30", "RefreshInterval")]
    [InlineData("30.00:00:00", "1.00:00:00", "00:01:00", "2.00:00:00", "JwksMaxAge")]
    public void Schedules_that_would_let_a_verifier_meet_an_unknown_key_are_refused(string rotation, string ahead, string refresh, string maxAge, string named)
    {
        var options = new SigningKeyOptions
        {
            RotationInterval = TimeSpan.Parse(rotation),
            PublishAhead = TimeSpan.Parse(ahead),
            RefreshInterval = TimeSpan.Parse(refresh),
            JwksMaxAge = TimeSpan.Parse(maxAge),
        };

        Assert.Contains(options.Validate(Rs256, isDevelopment: false), p => p.StartsWith($"Tessera:SigningKeys:{named}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    [InlineData("EdDSA")]
    public void Jwt_options_accept_the_asymmetric_algorithms_without_a_signing_key(string algorithm)
        => Assert.Empty(new JwtOptions { Algorithm = algorithm }.Validate(isDevelopment: false));

    [Fact]
    public void Jwt_options_still_refuse_an_unknown_algorithm_and_hs256_without_a_key()
    {
        Assert.Contains(new JwtOptions { Algorithm = "none", SigningKey = new string('s', 32) }.Validate(false), p => p.Contains("'none' is not supported"));
        Assert.Contains(new JwtOptions { Algorithm = "HS256" }.Validate(false), p => p.Contains("SigningKey is required"));
    }
}
