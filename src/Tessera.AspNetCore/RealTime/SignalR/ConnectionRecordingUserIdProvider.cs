using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tessera.AspNetCore.Hosting;

namespace Tessera.AspNetCore.RealTime.SignalR;

/// <summary>
/// The app's <see cref="IUserIdProvider"/> (SignalR's default: the <c>NameIdentifier</c> claim, the
/// Tessera user's id), also keeping each connection's <see cref="HubConnectionContext"/> in its items:
/// a hub filter sees only the <see cref="HubCallerContext"/>, which can abort but not write the close
/// message that tells the client why. SignalR asks the provider once per connection, at the handshake,
/// which is the one place it hands out the connection. An <see cref="IUserIdProvider"/> the app
/// registers after <c>AddTessera()</c> replaces this one: connections are still aborted, without the reason.
/// </summary>
internal sealed class ConnectionRecordingUserIdProvider(IUserIdProvider inner) : IUserIdProvider
{
    private static readonly object Key = new();

    public string? GetUserId(HubConnectionContext connection)
    {
        connection.Items[Key] = connection;
        return inner.GetUserId(connection);
    }

    public static HubConnectionContext? ConnectionOf(HubCallerContext caller)
        => caller.Items.TryGetValue(Key, out var connection) ? connection as HubConnectionContext : null;

    public static void Decorate(IServiceCollection services)
    {
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IUserIdProvider) && d.ServiceKey is null);
        services.RemoveAll<IUserIdProvider>();
        services.AddSingleton<IUserIdProvider>(s => new ConnectionRecordingUserIdProvider(
            existing is null ? new DefaultUserIdProvider() : (IUserIdProvider)existing.CreateInstance(s)));
    }
}
