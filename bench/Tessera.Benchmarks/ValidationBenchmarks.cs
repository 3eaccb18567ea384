using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Core.Jwt;

namespace Tessera.Benchmarks;

/// <summary>
/// One access token per algorithm: Tessera's validator (signature, header, claims, token type)
/// against Microsoft.IdentityModel's JsonWebTokenHandler configured to check as much (signature,
/// lifetime, no issuer or audience, the algorithm pinned), on the same token and key; for RS256
/// and ES256 both verify with the public key only, read from the JWK Tessera publishes. Every call
/// is a first validation (the validator has no cache; <c>ValidatedTokenCache</c> sits above it).
/// IdentityModel has no Ed25519, so EdDSA has no handler row: compare it with Tessera's RS256/ES256.
/// Allocations reported; each algorithm is its own group, the handler its baseline.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ValidationBenchmarks
{
    private const string Key = "benchmark-signing-key-0123456789-0123456789-0123456789";
    private JsonWebTokenHandler _handler = null!;
    private DateTimeOffset _now;
    private (string Token, TokenValidator Tessera, TokenValidationParameters? Handler) _hs, _rs, _es, _ed;

    [GlobalSetup]
    public void Setup()
    {
        _handler = new JsonWebTokenHandler();
        var options = new JwtOptions { SigningKey = Key };
        // Keys first: an RSA key takes a while, and the clock must not pass the tokens' iat second before they are issued.
        var (rsa, ec, ed) = (JwsSigningKey.Generate("RS256", "bench-rs256"), JwsSigningKey.Generate("ES256", "bench-es256"), JwsSigningKey.Generate("EdDSA", "bench-eddsa"));
        _now = DateTimeOffset.UtcNow.AddSeconds(1);
        _hs = Case(options, JwsSigningKey.FromOptions(options), new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Key)));
        _rs = Case(options, rsa, null);
        _es = Case(options, ec, null);
        _ed = Case(options, ed, null);
    }

    private (string, TokenValidator, TokenValidationParameters?) Case(JwtOptions options, JwsSigningKey key, SecurityKey? handlerKey)
    {
        string token = new TokenIssuer(options, new JwsCodec(key), TimeProvider.System)
            .IssuePair(new TokenSubject(42, "alice", "alice@example.com", "0123456789abcdef0123456789ab", 0)).Access.Value;

        // The resource service's view: the public JWK only, for both validators.
        JwsSigningKey verifier = key;
        if (key.PublicJwk is { } jwk)
        {
            string json = JsonSerializer.Serialize(jwk);
            if (!JwsSigningKey.TryImportPublicJwk(JsonDocument.Parse(json).RootElement, out var imported))
                throw new InvalidOperationException("the benchmark key's JWK does not import");
            verifier = imported;
            // As JwtBearer reads a JWKS.
            handlerKey = key.Algorithm == "EdDSA" ? null : new JsonWebKeySet($$"""{"keys":[{{json}}]}""").GetSigningKeys()[0];
        }

        var tessera = new TokenValidator(options, new JwsCodec(verifier));
        TokenValidationParameters? parameters = handlerKey is null ? null : new TokenValidationParameters
        {
            IssuerSigningKey = handlerKey,
            ValidAlgorithms = [key.Algorithm],
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.Zero,
        };
        if (!tessera.Validate(token, TokenKind.Access, _now).IsValid
            || (parameters is not null && !_handler.ValidateTokenAsync(token, parameters).GetAwaiter().GetResult().IsValid))
            throw new InvalidOperationException($"the {key.Algorithm} benchmark token does not validate");
        return (token, tessera, parameters);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("HS256")]
    public bool JsonWebTokenHandler() => _handler.ValidateTokenAsync(_hs.Token, _hs.Handler).GetAwaiter().GetResult().IsValid;

    [Benchmark, BenchmarkCategory("HS256")]
    public bool Tessera() => _hs.Tessera.Validate(_hs.Token, TokenKind.Access, _now).IsValid;

    [Benchmark(Baseline = true), BenchmarkCategory("RS256")]
    public bool JsonWebTokenHandler_RS256() => _handler.ValidateTokenAsync(_rs.Token, _rs.Handler).GetAwaiter().GetResult().IsValid;

    [Benchmark, BenchmarkCategory("RS256")]
    public bool Tessera_RS256() => _rs.Tessera.Validate(_rs.Token, TokenKind.Access, _now).IsValid;

    [Benchmark(Baseline = true), BenchmarkCategory("ES256")]
    public bool JsonWebTokenHandler_ES256() => _handler.ValidateTokenAsync(_es.Token, _es.Handler).GetAwaiter().GetResult().IsValid;

    [Benchmark, BenchmarkCategory("ES256")]
    public bool Tessera_ES256() => _es.Tessera.Validate(_es.Token, TokenKind.Access, _now).IsValid;

    [Benchmark, BenchmarkCategory("EdDSA")]
    public bool Tessera_EdDSA() => _ed.Tessera.Validate(_ed.Token, TokenKind.Access, _now).IsValid;
}
