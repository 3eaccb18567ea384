using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Tessera.ResourceServer.Tests.Infrastructure;

namespace Tessera.ResourceServer.Tests;

/// <summary>An app's hooks: refuse an admitted token, or write its own challenge.</summary>
public sealed class EventsTests
{
    [Fact]
    public async Task OnTokenValidated_may_refuse_and_OnChallenge_may_write_its_own_answer()
    {
        await using var f = await Fixture.StartAsync(o =>
        {
            o.Events.OnTokenValidated = context =>
            {
                if (context.Principal!.FindFirstValue(ClaimTypes.NameIdentifier) == "13")
                    context.Fail("user 13 is not welcome here");
                return Task.CompletedTask;
            };
            o.Events.OnChallenge = async context =>
            {
                if (context.Status != StatusCodes.Status401Unauthorized || context.Detail != "user 13 is not welcome here")
                    return;
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync("no");
                context.HandleResponse();
            };
        });

        using var refused = await f.Service.WhoAmIAsync(f.Tessera.Mint("k1", userId: 13));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("no", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await f.Service.WhoAmIAsync(f.Tessera.Mint("k1", userId: 12))).StatusCode);
    }
}
