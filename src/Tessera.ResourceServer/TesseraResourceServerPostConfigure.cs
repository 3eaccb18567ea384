using Microsoft.Extensions.Options;

namespace Tessera.ResourceServer;

/// <summary>Fills what follows from the settings given: the authority's form.</summary>
internal sealed class TesseraResourceServerPostConfigure : IPostConfigureOptions<TesseraResourceServerOptions>
{
    public void PostConfigure(string? name, TesseraResourceServerOptions options)
    {
        // https://auth.example and https://auth.example/ name the same Tessera.
        if (options.Authority is { Length: > 0 } authority)
            options.Authority = authority.TrimEnd('/');
        // Timeout.InfiniteTimeSpan and null both mean "no bound".
        if (options.MaxStaleness == Timeout.InfiniteTimeSpan)
            options.MaxStaleness = null;
    }
}
