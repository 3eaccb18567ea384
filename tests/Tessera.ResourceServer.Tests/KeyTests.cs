using System.Net;
using Tessera.ResourceServer.Tests.Infrastructure;

namespace Tessera.ResourceServer.Tests;

/// <summary>
/// Keys come from Tessera's JWKS; a token naming an unknown kid costs Tessera at most one fetch per cooldown;
/// the JWKS is kept for its max-age, discovery for a day, and keys held stay when a fetch brings none.
/// </summary>
public sealed class KeyTests
{
    [Fact]
    public async Task An_unknown_kid_causes_one_JWKS_fetch_then_a_refusal()
    {
        await using var f = await Fixture.StartAsync();
        f.Tessera.AddKey("forged", publish: false);
        var fetches = f.Tessera.JwksFetches;

        using var response = await f.Service.WhoAmIAsync(f.Tessera.Mint("forged"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(fetches + 1, f.Tessera.JwksFetches);
    }

    [Fact]
    public async Task A_key_published_after_start_is_fetched_when_a_token_names_it()
    {
        await using var f = await Fixture.StartAsync();
        f.Tessera.AddKey("k2"); // the next key, published after the service's last fetch

        using var response = await f.Service.WhoAmIAsync(f.Tessera.Mint("k2"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_token_of_a_key_published_while_a_fetch_is_under_way_is_not_judged_by_that_fetch()
    {
        await using var f = await Fixture.StartAsync(o => o.MaxStaleness = null);
        var k1 = f.Tessera.Mint("k1", lifetime: TimeSpan.FromHours(3));
        // A background fetch (the keys past their hour) reads the JWKS, then is held before it answers.
        var release = new TaskCompletionSource();
        f.Tessera.HoldJwks = release.Task;
        f.Service.Time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(k1)).StatusCode);
        await f.Tessera.JwksHeld.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // Now k2 is published, and its token comes while that fetch (which read no k2) is under way.
        f.Tessera.AddKey("k2");
        var k2 = f.Service.WhoAmIAsync(f.Tessera.Mint("k2", lifetime: TimeSpan.FromHours(3)));
        // Nothing tells when the request has joined the fetch: it has long done so after half a second
        // (the fetch cannot end meanwhile, so the wait can only make the test weaker, never wrong).
        await Task.Delay(500);
        Assert.False(k2.IsCompleted);
        f.Tessera.HoldJwks = null;
        release.SetResult();

        using var response = await k2;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_storm_of_unknown_kids_causes_at_most_one_fetch_per_cooldown()
    {
        // No staleness bound: the clock moves 31 s below, and this test is about keys, not the stream.
        await using var f = await Fixture.StartAsync(o => { o.KeyRefreshCooldown = TimeSpan.FromSeconds(30); o.MaxStaleness = null; });
        var tokens = Enumerable.Range(0, 40).Select(i => { f.Tessera.AddKey($"forged-{i}", publish: false); return f.Tessera.Mint($"forged-{i}"); }).ToArray();
        var fetches = f.Tessera.JwksFetches;

        var answers = await Task.WhenAll(tokens.Select(async t => (await f.Service.WhoAmIAsync(t)).StatusCode));
        var again = await Task.WhenAll(tokens.Select(async t => (await f.Service.WhoAmIAsync(t)).StatusCode));

        Assert.All(answers.Concat(again), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(fetches + 1, f.Tessera.JwksFetches);

        // Within the cooldown a newly published key is not fetched for; after it, it is (once).
        f.Tessera.Publish("forged-0");
        f.Service.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(tokens[0])).StatusCode);
        Assert.Equal(fetches + 1, f.Tessera.JwksFetches);
        f.Service.Time.Advance(TimeSpan.FromSeconds(2));
        var after = await Task.WhenAll(tokens.Select(async t => (await f.Service.WhoAmIAsync(t)).StatusCode));
        Assert.Equal(HttpStatusCode.OK, after[0]);
        Assert.All(after[1..], s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(fetches + 2, f.Tessera.JwksFetches);
    }

    [Fact]
    public async Task A_token_with_another_issuer_or_of_another_type_is_refused()
    {
        await using var f = await Fixture.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(f.Tessera.Mint("k1", issuer: "https://evil.example"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(f.Tessera.Mint("k1", tokenType: "refresh"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(f.Tessera.Mint("k1", lifetime: TimeSpan.FromSeconds(-1)))).StatusCode);
    }

    [Fact]
    public async Task A_token_whose_alg_is_not_its_kids_is_refused()
    {
        await using var f = await Fixture.StartAsync();
        f.Tessera.AddKey("rsa", algorithm: "RS256");
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(f.Tessera.Mint("rsa"))).StatusCode);
        // Signed by k1 (ES256) but naming the RSA key's kid.
        var token = f.Tessera.Mint("k1");
        var header = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("{\"alg\":\"ES256\",\"kid\":\"rsa\",\"typ\":\"JWT\"}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var swapped = header + token[token.IndexOf('.')..];
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(swapped)).StatusCode);
    }

    [Fact]
    public async Task Past_the_JWKS_max_age_one_fetch_is_made_and_no_request_waits_for_it()
    {
        // No staleness bound: the clock moves by hours, and this test is about keys, not the stream.
        await using var f = await Fixture.StartAsync(o => o.MaxStaleness = null);
        var token = f.Tessera.Mint("k1", lifetime: TimeSpan.FromHours(3));
        var fetches = f.Tessera.JwksFetches;
        f.Tessera.CacheControl = "public, max-age=120";

        // The first fetch had no Cache-Control: kept an hour.
        f.Service.Time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(token)).StatusCode);
        await Task.Delay(200);
        Assert.Equal(fetches, f.Tessera.JwksFetches);
        f.Service.Time.Advance(TimeSpan.FromMinutes(2));
        // 40 requests at once past the max-age: each judged with the keys held, and one fetch among them.
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ => (await f.Service.WhoAmIAsync(token)).StatusCode));
        Assert.All(answers, s => Assert.Equal(HttpStatusCode.OK, s));
        await WaitForAsync(() => f.Tessera.JwksFetches == fetches + 1);
        await Task.Delay(200);
        Assert.Equal(fetches + 1, f.Tessera.JwksFetches);

        // That fetch said max-age=120: kept two minutes.
        f.Service.Time.Advance(TimeSpan.FromSeconds(110));
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(token)).StatusCode);
        await Task.Delay(200);
        Assert.Equal(fetches + 1, f.Tessera.JwksFetches);
        f.Service.Time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(token)).StatusCode);
        await WaitForAsync(() => f.Tessera.JwksFetches == fetches + 2);
    }

    [Fact]
    public async Task The_discovery_document_is_read_again_after_a_day()
    {
        await using var f = await Fixture.StartAsync(o => o.MaxStaleness = null);
        Assert.Equal(1, f.Tessera.DiscoveryFetches);

        f.Service.Time.Advance(TimeSpan.FromHours(24));
        f.Tessera.AddKey("k2"); // its token's unknown kid fetches the JWKS, and the day-old discovery with it
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(f.Tessera.Mint("k2", lifetime: TimeSpan.FromHours(25)))).StatusCode);

        Assert.Equal(2, f.Tessera.DiscoveryFetches);
    }

    [Fact]
    public async Task Keys_held_keep_verifying_when_a_JWKS_brings_no_key()
    {
        await using var f = await Fixture.StartAsync(o => o.KeyRefreshCooldown = TimeSpan.FromSeconds(1));
        var remembered = f.Tessera.Mint("k1");
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(remembered)).StatusCode);
        f.Tessera.Unpublish("k1"); // {"keys": []}: retirement is the stream's word, not an empty JWKS's
        f.Tessera.AddKey("forged", publish: false);
        var fetches = f.Tessera.JwksFetches;

        f.Service.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Service.WhoAmIAsync(f.Tessera.Mint("forged"))).StatusCode);
        Assert.Equal(fetches + 1, f.Tessera.JwksFetches);

        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(remembered)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(f.Tessera.Mint("k1"))).StatusCode);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 5 s");
            await Task.Delay(10);
        }
    }
}
