using Microsoft.Extensions.Hosting;

namespace Tessera.ResourceServer;

/// <summary>Runs one scheme's key refreshes and revocation stream for the app's lifetime.</summary>
internal sealed class TesseraResourceServerService(string scheme, TesseraAuthorities authorities) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => authorities.For(scheme).RunAsync(stoppingToken);
}
