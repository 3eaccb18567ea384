using Microsoft.Extensions.Logging;
using Tessera.Core.OpenIdConnect;

namespace Tessera.AspNetCore.ExternalLogin;

/// <summary>
/// A provider's issuer and verifying keys: Core's <see cref="DiscoveredKeys"/> (single flight, the
/// JWKS's Cache-Control lifetime, daily discovery, stale keys kept, the unknown-<c>kid</c> cooldown)
/// with what is the external login's own: the provider's algorithms (a key without <c>alg</c> gets
/// its type's), the issuer pinned to the Authority, and its log events (3201-3203).
/// </summary>
internal static class ExternalProviderMetadata
{
    private static readonly Action<ILogger, string, string, Exception?> FetchFailed = LoggerMessage.Define<string, string>(
        LogLevel.Warning, new EventId(3201, "ExternalProviderFetchFailed"),
        "External provider {Provider}: could not read its keys: {Reason}");

    private static readonly Action<ILogger, string, int, Exception?> KeysLoaded = LoggerMessage.Define<string, int>(
        LogLevel.Debug, new EventId(3202, "ExternalProviderKeysLoaded"),
        "External provider {Provider}: {Count} verifying keys from its JWKS");

    private static readonly Action<ILogger, string, Exception?> StaleKeysKept = LoggerMessage.Define<string>(
        LogLevel.Warning, new EventId(3203, "ExternalProviderStaleKeys"),
        "External provider {Provider}: its keys could not be refreshed; the previous ones stay in use");

    public static DiscoveredKeys Create(string name, ExternalProviderOptions options, Func<HttpClient> client, TimeProvider time, ILogger log)
        => new(new DiscoveredKeysSettings
        {
            Authority = options.Authority!,
            RequireHttpsMetadata = options.RequireHttpsMetadata,
            BackchannelTimeout = options.BackchannelTimeout,
            KeyRefreshCooldown = options.KeyRefreshCooldown,
            Algorithms = new HashSet<string>(options.Algorithms.Count == 0 ? ExternalProviderOptions.DefaultAlgorithms : options.Algorithms, StringComparer.Ordinal),
            InferMissingAlgorithm = true,
            AcceptsIssuer = issuer => IsIssuerOf(issuer, options.Authority!),
        }, client, time, new Log(name, log));

    /// <summary>
    /// OpenID Connect Discovery §4.3: the issuer is the URL the document was read under (one trailing
    /// slash aside) — else anyone who can serve that document could mint accounts of another issuer.
    /// Microsoft's multi-tenant document names a <c>{tenantid}</c> template instead, resolved per token:
    /// it must still name the Authority's origin, so a document cannot hand out another host's issuers.
    /// </summary>
    private static bool IsIssuerOf(string issuer, string authority)
    {
        if (!issuer.Contains(ExternalProviderPresets.TenantPlaceholder, StringComparison.Ordinal))
            return string.Equals(issuer.TrimEnd('/'), authority.TrimEnd('/'), StringComparison.Ordinal);
        return Uri.TryCreate(issuer.Replace(ExternalProviderPresets.TenantPlaceholder, "tenant", StringComparison.Ordinal), UriKind.Absolute, out var resolved)
            && Uri.TryCreate(authority, UriKind.Absolute, out var origin)
            && Uri.Compare(resolved, origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
    }

    private sealed class Log(string provider, ILogger log) : IDiscoveredKeysLog
    {
        public void FetchFailed(string reason) => ExternalProviderMetadata.FetchFailed(log, provider, reason, null);

        public void KeysLoaded(int count) => ExternalProviderMetadata.KeysLoaded(log, provider, count, null);

        public void StaleKeysKept() => ExternalProviderMetadata.StaleKeysKept(log, provider, null);
    }
}
