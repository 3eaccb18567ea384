namespace Tessera.ResourceServer.Tests.Infrastructure;

/// <summary>A fake Tessera with one published key "k1", and a resource service that has heard its first snapshot.</summary>
public sealed class Fixture : IAsyncDisposable
{
    private Fixture(FakeTessera tessera, ResourceService service) => (Tessera, Service) = (tessera, service);

    public FakeTessera Tessera { get; }

    public ResourceService Service { get; }

    public static async Task<Fixture> StartAsync(Action<TesseraResourceServerOptions>? configure = null, bool ready = true)
    {
        var tessera = await FakeTessera.StartAsync();
        tessera.AddKey("k1");
        var service = await ResourceService.StartAsync(tessera, configure);
        if (ready)
        {
            await tessera.SendReadyAsync();
            await service.WaitForStatusAsync(tessera.Mint("k1"), 200, TimeSpan.FromSeconds(10));
        }
        return new Fixture(tessera, service);
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        await Tessera.DisposeAsync();
    }
}
