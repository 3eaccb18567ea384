using Tessera.Core.Jwt;

namespace Tessera.Core.Tests.Jwt;

public class JwtOptionsTests
{
    private static JwtOptions Good() => new() { SigningKey = new string('k', 32) };

    [Fact]
    public void Defaults_follow_the_spec()
    {
        var o = new JwtOptions();
        Assert.Equal("Tessera:Jwt", JwtOptions.SectionName);
        Assert.Equal("HS256", o.Algorithm);
        Assert.Equal(TimeSpan.FromMinutes(15), o.AccessTokenLifetime);
        Assert.Equal(TimeSpan.FromDays(7), o.RefreshTokenLifetime);
        Assert.Equal(TimeSpan.FromMinutes(5), o.SlidingTokenLifetime);
        Assert.Equal(TimeSpan.FromDays(1), o.SlidingTokenRefreshLifetime);
        Assert.True(o.RotateRefreshTokens);
        Assert.True(o.BlacklistAfterRotation);
        Assert.True(o.UpdateLastLogin);
        Assert.Null(o.Audience);
        Assert.Null(o.Issuer);
        Assert.Equal(TimeSpan.Zero, o.Leeway);
    }

    [Fact]
    public void Good_options_have_no_problems()
    {
        Assert.Empty(Good().Validate(isDevelopment: false));
        Assert.Empty(Good().Validate(isDevelopment: true));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Missing_key_is_a_problem_everywhere(bool development)
    {
        Assert.Contains(new JwtOptions().Validate(development), p => p.Contains("SigningKey"));
        Assert.Contains(new JwtOptions { SigningKey = null! }.Validate(development), p => p.Contains("SigningKey"));
    }

    [Fact]
    public void Short_key_is_a_problem_outside_development_only()
    {
        var o = new JwtOptions { SigningKey = "short" };
        Assert.Contains(o.Validate(isDevelopment: false), p => p.Contains("32 bytes"));
        Assert.Empty(o.Validate(isDevelopment: true));

        // Counted in UTF-8 bytes: 16 two-byte characters are enough.
        Assert.Empty(new JwtOptions { SigningKey = new string('é', 16) }.Validate(false));
        Assert.NotEmpty(new JwtOptions { SigningKey = new string('k', 31) }.Validate(false));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS512")]
    [InlineData("ES512")]
    [InlineData("hs256")]
    public void Unsupported_algorithm_is_a_problem(string alg)
    {
        JwtOptions o = Good();
        o.Algorithm = alg;
        Assert.Contains(o.Validate(false), p => p.Contains("Algorithm"));
    }

    [Fact]
    public void Non_positive_lifetimes_and_negative_leeway_are_problems()
    {
        JwtOptions o = Good();
        o.AccessTokenLifetime = TimeSpan.Zero;
        o.RefreshTokenLifetime = TimeSpan.FromSeconds(-1);
        o.SlidingTokenLifetime = TimeSpan.Zero;
        o.SlidingTokenRefreshLifetime = TimeSpan.Zero;
        o.Leeway = TimeSpan.FromSeconds(-1);

        string[] problems = o.Validate(false).ToArray();

        Assert.Equal(5, problems.Length);
        Assert.Contains(problems, p => p.Contains("AccessTokenLifetime"));
        Assert.Contains(problems, p => p.Contains("RefreshTokenLifetime"));
        Assert.Contains(problems, p => p.Contains("SlidingTokenLifetime"));
        Assert.Contains(problems, p => p.Contains("SlidingTokenRefreshLifetime"));
        Assert.Contains(problems, p => p.Contains("Leeway"));
    }

    [Fact]
    public void Signing_key_factory()
    {
        JwsSigningKey key = JwsSigningKey.FromOptions(Good());
        Assert.IsType<HmacSha256SigningKey>(key);
        Assert.Equal("HS256", key.Algorithm);
        Assert.Null(key.KeyId);
        Assert.Equal(32, key.SignatureSize);

        Assert.Throws<ArgumentException>(() => JwsSigningKey.FromOptions(new JwtOptions()));
        Assert.Throws<ArgumentException>(() => JwsSigningKey.FromOptions(new JwtOptions { SigningKey = "k", Algorithm = "none" }));
    }

    [Fact]
    public void Hmac_key_signs_and_verifies_in_constant_shape()
    {
        var key = new HmacSha256SigningKey("secret");
        Span<byte> sig = stackalloc byte[32];
        Assert.True(key.TrySign("abc"u8, sig, out int written));
        Assert.Equal(32, written);
        Assert.True(key.Verify("abc"u8, sig));
        Assert.False(key.Verify("abd"u8, sig));
        Assert.False(key.Verify("abc"u8, sig[..31]));
        Assert.False(key.TrySign("abc"u8, stackalloc byte[31], out _));
        sig[31] ^= 1;
        Assert.False(key.Verify("abc"u8, sig));
    }
}

public class TokenKindTests
{
    [Theory]
    [InlineData(TokenKind.Access, "access")]
    [InlineData(TokenKind.Refresh, "refresh")]
    [InlineData(TokenKind.Sliding, "sliding")]
    public void Wire_names_round_trip(TokenKind kind, string wire)
    {
        Assert.Equal(wire, TokenKinds.WireName(kind));
        Assert.True(TokenKinds.TryParse(wire, out TokenKind parsed));
        Assert.Equal(kind, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Access")]
    [InlineData("untyped")]
    [InlineData(" access")]
    public void Unknown_wire_names_do_not_parse(string? wire)
    {
        Assert.False(TokenKinds.TryParse(wire, out _));
    }
}
