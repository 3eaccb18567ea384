namespace Tessera.AspNetCore.RealTime;

/// <summary>
/// Marks the endpoint of a long-lived connection (<c>MapTesseraWebSocket</c>, a Tessera-authenticated
/// SignalR hub): a ticket (<c>?ticket=</c> from <c>POST /api/ws-ticket/</c>) is accepted there and
/// nowhere else, and a credential a browser sends by itself (a cookie) needs an allowed <c>Origin</c>.
/// </summary>
internal sealed class RealTimeEndpointMetadata
{
    public static readonly RealTimeEndpointMetadata Instance = new();

    private RealTimeEndpointMetadata()
    {
    }
}
