using Tessera.Core.Jwt;
using static Tessera.Core.Tests.Jwt.TokenTestKit;

namespace Tessera.Core.Tests.Jwt;

/// <summary>A remembered token is found only where its full validation would pass, and only for its exact text.</summary>
public sealed class ValidatedTokenCacheTests
{
    private static readonly TokenValidator Validator = TokenTestKit.Validator();

    private static (ValidatedTokenCache Cache, ValidatedToken Token) Remembered(string token, DateTimeOffset at, JwtOptions? options = null, int capacity = ValidatedTokenCache.DefaultCapacity)
    {
        // The cache answers only for tokens of its ring's keys: the shared validator's, unless other options ask for another.
        var validator = options is null ? Validator : TokenTestKit.Validator(options);
        options ??= Options();
        var result = validator.Validate(token, expected: null, at);
        Assert.True(result.IsValid, result.Message);
        var cache = new ValidatedTokenCache(options, validator.Codec.Ring, capacity);
        cache.Remember(result.Token!, JwtLoginService.Proof(result.Token!)!, at);
        return (cache, result.Token!);
    }

    [Fact]
    public void A_remembered_token_is_found_as_the_very_token_and_proof_validated()
    {
        var token = ForgePayload(Payload());
        var (cache, validated) = Remembered(token, Now);

        var entry = cache.Find(token.AsSpan(), Now.AddSeconds(1));

        Assert.NotNull(entry);
        Assert.Same(validated, entry.Token);
        Assert.Equal(42, entry.Proof.UserId);
        // Another copy of the same characters (another request's header) finds it too.
        Assert.Same(validated, cache.Find(new string(token.AsSpan()).AsSpan(), Now)?.Token);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    public void Found_exactly_where_the_validator_still_accepts_it(int leewaySeconds)
    {
        var options = Options(o => o.Leeway = TimeSpan.FromSeconds(leewaySeconds));
        var validator = TokenTestKit.Validator(options);
        var exp = NowSeconds + 300;
        var nbf = NowSeconds - 10;
        var token = ForgePayload(Payload(exp: exp, extra: $$""","nbf":{{nbf}}"""));
        var validatedAt = Now;
        var (cache, _) = Remembered(token, validatedAt, options);

        // Around every instant where an answer changes: iat/nbf (before validation), validation, exp (+ leeway).
        long[] offsets = [-86_400, -301, -300, -11, -10, -1, 0, 1, 299, 300, 301, 329, 330, 331, 86_400];
        foreach (var offset in offsets)
            foreach (var ticks in new long[] { -1, 0, 1 })
            {
                var at = validatedAt.AddSeconds(offset).AddTicks(ticks);
                var valid = validator.Validate(token, expected: null, at).IsValid;
                var found = cache.Find(token.AsSpan(), at) is not null;
                Assert.False(found && !valid, $"found at {offset} s {ticks:+0;-0} ticks, where the validator refuses it");
                // After the instant it was validated, memory holds it for as long as it is valid.
                if (at >= validatedAt)
                    Assert.True(found == valid, $"at {offset} s {ticks:+0;-0} ticks: found {found}, valid {valid}");
            }
    }

    [Fact]
    public void Before_the_instant_it_was_validated_it_is_validated_again()
    {
        // The clock went back: iat (now + 0) is in the future again, which the validator refuses.
        var token = ForgePayload(Payload());
        var (cache, _) = Remembered(token, Now);

        Assert.Null(cache.Find(token.AsSpan(), Now.AddTicks(-1)));
        Assert.False(Validator.Validate(token, expected: null, Now.AddSeconds(-1)).IsValid);
    }

    [Fact]
    public void Only_the_exact_text_is_found_not_a_token_that_ends_the_same()
    {
        var token = ForgePayload(Payload());
        var (cache, _) = Remembered(token, Now);
        var parts = token.Split('.');
        var otherPayload = B64(Payload().Replace("\"user_id\":42", "\"user_id\":43"));

        Assert.Null(cache.Find($"{parts[0]}.{otherPayload}.{parts[2]}".AsSpan(), Now)); // same signature, another payload
        Assert.Null(cache.Find(("x" + token).AsSpan(), Now));
        Assert.Null(cache.Find(token.AsSpan(1), Now));
        Assert.Null(cache.Find(token.AsSpan(0, token.Length - 1), Now));
        Assert.Null(cache.Find(ReadOnlySpan<char>.Empty, Now));
    }

    [Fact]
    public void A_token_that_takes_the_slot_displaces_the_one_before_and_neither_answers_for_the_other()
    {
        var first = ForgePayload(Payload());
        var second = ForgePayload(Payload(extra: ",\"n\":2"));
        var (cache, _) = Remembered(first, Now, capacity: 1);
        Assert.Equal(1, cache.Capacity);

        var validated = Validator.Validate(second, expected: null, Now).Token!;
        cache.Remember(validated, JwtLoginService.Proof(validated)!, Now);

        Assert.Null(cache.Find(first.AsSpan(), Now));
        Assert.Same(validated, cache.Find(second.AsSpan(), Now)?.Token);
    }

    [Fact]
    public void Capacity_is_a_power_of_two_and_long_tokens_are_not_held()
    {
        Assert.Equal(4096, new ValidatedTokenCache(Options(), Codec().Ring).Capacity);
        Assert.Equal(8, new ValidatedTokenCache(Options(), Codec().Ring, 5).Capacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ValidatedTokenCache(Options(), Codec().Ring, 0));

        var padding = new string('a', ValidatedTokenCache.MaxTokenLength);
        var token = ForgePayload(Payload(extra: $",\"pad\":\"{padding}\""));
        Assert.True(token.Length > ValidatedTokenCache.MaxTokenLength);
        var (cache, _) = Remembered(token, Now);

        Assert.Null(cache.Find(token.AsSpan(), Now));
    }
}
