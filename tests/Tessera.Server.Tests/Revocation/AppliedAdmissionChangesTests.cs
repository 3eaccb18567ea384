using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Revocation;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Revocation;

/// <summary>
/// The subscription for in-process consumers (a WebSocket to close, an audit log): each instance's
/// listeners hear a change once when it reaches that instance's memory, whichever instance made it.
/// </summary>
public sealed class AppliedAdmissionChangesTests : IAsyncLifetime
{
    private readonly TesseraServer _a = new();
    private TesseraServer _b = null!;

    public async Task InitializeAsync()
    {
        _a.Settings["Tessera:Revocation:PollInterval"] = "00:00:00.050";
        await _a.InitializeAsync();
        _b = _a.AnotherInstance();
        _b.Settings["Tessera:Revocation:PollInterval"] = "00:00:00.050";
        await _b.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
    }

    [Fact]
    public async Task A_logout_on_one_instance_is_heard_once_on_both()
    {
        var user = await _a.RegisterAsync();
        var onA = new ConcurrentQueue<AdmissionChange>();
        var onB = new ConcurrentQueue<AdmissionChange>();
        using var a = _a.Services.GetRequiredService<AppliedAdmissionChanges>().Subscribe(onA.Enqueue);
        using var b = _b.Services.GetRequiredService<AppliedAdmissionChanges>().Subscribe(onB.Enqueue);
        using var client = _a.CreateClient();

        Assert.Equal(205, (await client.PostJsonAsync("/api/logout/", new { refresh = user.Refresh }, user.Bearer)).Status);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (onB.IsEmpty && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await Task.Delay(300); // both feeds read the change again meanwhile: neither tells it twice
        var here = Assert.Single(onA, c => c.Kind == AdmissionChangeKind.LoginRevoked);
        var there = Assert.Single(onB, c => c.Kind == AdmissionChangeKind.LoginRevoked);
        Assert.Equal(here, there);
        Assert.NotNull(here.LoginId);
    }
}
