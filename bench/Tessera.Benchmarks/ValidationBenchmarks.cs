using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Core.Jwt;

namespace Tessera.Benchmarks;

/// <summary>
/// One access token, one HS256 key: Tessera's validator (signature, header, claims, token type)
/// against Microsoft.IdentityModel's JsonWebTokenHandler configured to check as much (signature,
/// lifetime, no issuer or audience, the algorithm pinned). Allocations reported.
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private const string Key = "benchmark-signing-key-0123456789-0123456789-0123456789";
    private string _token = null!;
    private TokenValidator _tessera = null!;
    private JsonWebTokenHandler _handler = null!;
    private TokenValidationParameters _parameters = null!;
    private DateTimeOffset _now;

    [GlobalSetup]
    public void Setup()
    {
        var options = new JwtOptions { SigningKey = Key };
        var codec = new JwsCodec(JwsSigningKey.FromOptions(options));
        _now = DateTimeOffset.UtcNow;
        _token = new TokenIssuer(options, codec, TimeProvider.System)
            .IssuePair(new TokenSubject(42, "alice", "alice@example.com", "0123456789abcdef0123456789ab", 0)).Access.Value;
        _tessera = new TokenValidator(options, codec);
        _handler = new JsonWebTokenHandler();
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Key)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.Zero,
        };
        if (!_tessera.Validate(_token, TokenKind.Access, _now).IsValid || !_handler.ValidateTokenAsync(_token, _parameters).GetAwaiter().GetResult().IsValid)
            throw new InvalidOperationException("the benchmark token does not validate");
    }

    [Benchmark(Baseline = true)]
    public bool JsonWebTokenHandler() => _handler.ValidateTokenAsync(_token, _parameters).GetAwaiter().GetResult().IsValid;

    [Benchmark]
    public bool Tessera() => _tessera.Validate(_token, TokenKind.Access, _now).IsValid;
}
