using System.Text;
using Tessera.Core.Jwt;
using Tessera.Core.Revocation;

namespace Tessera.Core.Tests.Revocation;

/// <summary><see cref="JwtLoginService.Proof"/>: what a validated JWT tells the admission gate.</summary>
public class JwtLoginProofTests
{
    private const string Secret = "revocation-tests-secret-key-0123456789-abcdefghijklmnop";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly long NowSeconds = Now.ToUnixTimeSeconds();

    private readonly JwtOptions _options = new() { SigningKey = Secret };
    private readonly JwsCodec _codec;
    private readonly TokenValidator _validator;
    private readonly TokenIssuer _issuer;

    public JwtLoginProofTests()
    {
        _codec = new JwsCodec(JwsSigningKey.FromOptions(_options));
        _validator = new TokenValidator(_options, _codec);
        _issuer = new TokenIssuer(_options, _codec, new StoppedClock(Now));
    }

    private ValidatedToken Validate(string token)
    {
        var result = _validator.Validate(token, expected: null, Now);
        Assert.True(result.IsValid, $"token did not validate: {result.Error}");
        return result.Token!;
    }

    private ValidatedToken Signed(string payloadJson) => Validate(_codec.Encode(Encoding.UTF8.GetBytes(payloadJson)));

    private static string Payload(string extra)
        => $$"""{"token_type":"access","exp":{{NowSeconds + 300}},"iat":{{NowSeconds - 7}},"jti":"0123456789abcdef0123456789abcdef"{{extra}}}""";

    [Fact]
    public void OurToken_CarriesTheLoginAndItsCreationTime()
    {
        var createdMs = Now.ToUnixTimeMilliseconds() - 1234;
        var login = LoginId.New(createdMs);
        var pair = _issuer.IssuePair(new TokenSubject(42, "alice", "alice@example.test", login.ToString()));

        foreach (var value in new[] { pair.Access.Value, pair.Refresh.Value })
        {
            var token = Validate(value);
            var proof = JwtLoginService.Proof(token);

            Assert.NotNull(proof);
            Assert.Equal(42, proof.UserId);
            Assert.Equal("jwt", proof.Scheme);
            Assert.Equal(login, proof.Login);
            Assert.Equal(createdMs, proof.LoginTimeMs);
            Assert.Equal(token.ExpiresAt, proof.ExpiresAt);
        }
    }

    [Fact]
    public void OurToken_LoginTimeIsTheLoginsMillisecond_NotTheTokensIat()
    {
        // A login made in 2100 (its tokens minted now, e.g. by rotation): the time comes from lid.
        var createdMs = new DateTimeOffset(2100, 1, 1, 0, 0, 0, 1, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var login = LoginId.New(createdMs);

        var proof = JwtLoginService.Proof(Signed(Payload($$""","user_id":7,"lid":"{{login}}" """)));

        Assert.NotNull(proof);
        Assert.Equal(login, proof.Login);
        Assert.Equal(createdMs, proof.LoginTimeMs);
    }

    [Fact]
    public void Proof_UsesTheGivenScheme()
    {
        var login = LoginId.New(Now.ToUnixTimeMilliseconds());
        var sliding = _issuer.IssueSliding(new TokenSubject(42, "alice", "alice@example.test", login.ToString()));

        var proof = JwtLoginService.Proof(Validate(sliding.Value), "sliding");

        Assert.NotNull(proof);
        Assert.Equal("sliding", proof.Scheme);
        Assert.Equal(login, proof.Login);
    }

    [Fact]
    public void ForeignToken_HasNoLogin_AndCountsFromIat()
    {
        var proof = JwtLoginService.Proof(Signed(Payload(""","user_id":42""")));

        Assert.NotNull(proof);
        Assert.Equal(42, proof.UserId);
        Assert.Null(proof.Login);
        Assert.Equal((NowSeconds - 7) * 1000, proof.LoginTimeMs);
    }

    [Fact]
    public void IssuedWithoutLoginId_IsTreatedAsForeign()
    {
        var pair = _issuer.IssuePair(new TokenSubject(42, "alice", "alice@example.test"));

        var proof = JwtLoginService.Proof(Validate(pair.Access.Value));

        Assert.NotNull(proof);
        Assert.Null(proof.Login);
        Assert.Equal(NowSeconds * 1000, proof.LoginTimeMs);
    }

    [Theory]
    [InlineData("\"018BCFE56800ABCDEF0123456789\"")] // uppercase
    [InlineData("\"018bcfe56800abcdef012345678\"")] // 27 characters
    [InlineData("\"not a login id\"")]
    [InlineData("12345")] // not a string
    [InlineData("null")]
    public void MalformedLoginId_IsTreatedAsForeign(string lidJson)
    {
        var proof = JwtLoginService.Proof(Signed(Payload($$""","user_id":42,"lid":{{lidJson}}""")));

        Assert.NotNull(proof);
        Assert.Null(proof.Login);
        Assert.Equal((NowSeconds - 7) * 1000, proof.LoginTimeMs);
    }

    [Fact]
    public void StringUserId_IsAccepted()
    {
        // SimpleJWT 5.5 sends user_id as a string.
        var proof = JwtLoginService.Proof(Signed(Payload(""","user_id":"42" """)));

        Assert.NotNull(proof);
        Assert.Equal(42, proof.UserId);
    }

    [Fact]
    public void TokenWithoutUserId_HasNoProof()
    {
        var login = LoginId.New(Now.ToUnixTimeMilliseconds());

        Assert.Null(JwtLoginService.Proof(Signed(Payload(""))));
        Assert.Null(JwtLoginService.Proof(Signed(Payload($$""","lid":"{{login}}" """))));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"abc\"")]
    [InlineData("1.5")]
    [InlineData("true")]
    [InlineData("123456789012345678901234567890")]
    public void UnrepresentableUserId_HasNoProof(string userIdJson)
    {
        Assert.Null(JwtLoginService.Proof(Signed(Payload($$""","user_id":{{userIdJson}}"""))));
    }

    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
