using Microsoft.AspNetCore.Builder;

namespace Tessera.AspNetCore.RealTime;

/// <summary>
/// Marks an endpoint where a JWT may come as the <c>access_token</c> query parameter (SignalR's
/// JavaScript client sends it there: browsers set no header on a WebSocket or an EventSource).
/// Nowhere else: a token in a URL ends up in logs, histories and Referer headers.
/// </summary>
internal sealed class AccessTokenInQueryMetadata
{
    public static readonly AccessTokenInQueryMetadata Instance = new();

    private AccessTokenInQueryMetadata()
    {
    }
}

public static class AccessTokenInQueryExtensions
{
    /// <summary>
    /// Lets the endpoint read a JWT from the <c>access_token</c> query parameter when the request has
    /// no <c>Authorization</c> header (SignalR's JavaScript client on WebSockets and Server-Sent
    /// Events). The parameter is kept out of every log line.
    /// </summary>
    public static TBuilder AllowAccessTokenInQuery<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(AccessTokenInQueryMetadata.Instance));
        return builder;
    }
}
