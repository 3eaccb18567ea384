using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.SigningKeys;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.SigningKeys.SigningKeyKit;

namespace Tessera.Server.Tests.SigningKeys;

/// <summary>
/// The ring is the deployment's, not an instance's: instances that decide at the same moment that a
/// key is due make one generation between them, and a key retired on one instance is refused on the
/// other at once (Redis: on the very next request; SQLite: within the feed's poll interval).
/// </summary>
public sealed class SigningKeyRingClusterTests
{
    [Fact]
    public async Task A_key_retired_on_one_instance_is_refused_on_the_other_and_a_new_key_signs()
    {
        // The ring is re-read hourly here: B can only learn of the retirement from its change.
        await using var a = new TesseraServer().WithAlgorithm("RS256");
        a.Settings["Tessera:SigningKeys:RefreshInterval"] = "01:00:00";
        await a.InitializeAsync();
        await using var b = a.AnotherInstance().WithAlgorithm("RS256");
        b.Settings["Tessera:SigningKeys:RefreshInterval"] = "01:00:00";
        await b.InitializeAsync();
        var user = await a.RegisterAsync();
        var kid = Kid(user.Access);
        using var onB = b.CreateClient();
        Assert.Equal(200, (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status);

        Assert.True(await a.RetireAsync(kid));

        if (b.IsOnPostgres)
            Assert.Equal(401, (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status); // Redis: acknowledged before the retirement returned
        else
            await WaitForAsync(async () => (await onB.GetJsonAsync("/api/hello/", user.Bearer)).Status == 401, "instance B refused the retired key's token");
        Assert.Equal(401, (await onB.PostJsonAsync("/api/token/refresh/", new { refresh = user.Refresh })).Status);
        Assert.DoesNotContain(kid, await b.PublishedKidsAsync());
        // Both instances sign with the one new generation, and each admits the other's tokens.
        await WaitForAsync(async () => (await b.PublishedKidsAsync()).Count == 1, "B reads the new generation");
        var again = await b.RegisterAsync();
        Assert.NotEqual(kid, Kid(again.Access));
        using var onA = a.CreateClient();
        Assert.Equal(200, (await onA.GetJsonAsync("/api/hello/", again.Bearer)).Status);
        Assert.Equal(Kid(again.Access), Kid((await a.RegisterAsync()).Access));
        Assert.False(await a.RetireAsync(kid)); // retired already
        Assert.False(await a.RetireAsync("no-such-kid"));
    }

    [Fact]
    public async Task Instances_starting_together_and_rotating_together_make_one_generation_each_time()
    {
        var clock = new ShiftedTimeProvider();
        await using var a = new TesseraServer().WithAlgorithm("ES256");
        a.ConfigureServices = s => s.AddSingleton<TimeProvider>(clock);
        await using var b = a.AnotherInstance().WithAlgorithm("ES256");
        b.ConfigureServices = s => s.AddSingleton<TimeProvider>(clock);
        await using var c = a.AnotherInstance().WithAlgorithm("ES256");
        c.ConfigureServices = s => s.AddSingleton<TimeProvider>(clock);
        await a.InitializeAsync(); // migrates first: the others then start at once, each finding no key
        await Task.WhenAll(b.InitializeAsync(), c.InitializeAsync());

        Assert.Single(await a.InScopeAsync(sp => sp.GetRequiredService<ISigningKeyStore>().ListAsync()));

        // The next key is due on every instance at once: each refreshes four times concurrently.
        var options = new SigningKeyOptions();
        clock.Advance(options.RotationInterval - options.PublishAhead);
        await Task.WhenAll(new[] { a, b, c }.SelectMany(server => Enumerable.Range(0, 4).Select(_ => Task.Run(() => server.InScopeAsync(async sp =>
        {
            await sp.GetRequiredService<SigningKeyRingKeeper>().RefreshAsync(sp.GetRequiredService<ISigningKeyStore>());
            return 0;
        })))));

        var rows = await a.InScopeAsync(sp => sp.GetRequiredService<ISigningKeyStore>().ListAsync());
        Assert.Equal([1L, 2L], rows.Select(r => r.Generation).Order());
        foreach (var server in new[] { a, b, c })
            Assert.Equal(rows.Select(r => r.KeyId).Order(), (await server.PublishedKidsAsync()).Order());
    }
}
