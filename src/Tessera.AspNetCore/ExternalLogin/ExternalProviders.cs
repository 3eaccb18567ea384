using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tessera.AspNetCore.ExternalLogin;

/// <summary>The configured providers, by name (case-insensitive); each keeps its own keys.</summary>
internal sealed class ExternalProviders
{
    /// <summary>The named <see cref="HttpClient"/> discovery documents and JWKS are read with (an app may configure it: a proxy).</summary>
    public const string HttpClientName = "Tessera.ExternalLogin";

    private readonly Dictionary<string, ExternalProvider> _providers = new(StringComparer.OrdinalIgnoreCase);

    public ExternalProviders(IOptions<ExternalLoginOptions> options, IHttpClientFactory httpClients, TimeProvider time, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger(typeof(ExternalProviders).FullName!);
        foreach (var (name, provider) in options.Value.Providers)
            if (provider is not null) // validation at start names a provider without settings
                _providers[name] = new ExternalProvider(name, provider, () => httpClients.CreateClient(HttpClientName), time, log);
        All = _providers.Values.ToArray();
    }

    public IReadOnlyCollection<ExternalProvider> All { get; }

    public bool TryGet(string name, [NotNullWhen(true)] out ExternalProvider? provider)
        => _providers.TryGetValue(name, out provider);
}
