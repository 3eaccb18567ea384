using System.Net.Sockets;
using System.Text;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 written byte for byte on a socket, as a hostile client would send it: headers that
/// HttpClient would refuse or re-encode (UTF-8 in a header value) reach the server as they are.
/// </summary>
internal static class RawHttp
{
    public static async Task<(int Status, string Head, string Body)> SendAsync(Uri baseAddress, string method, string path, IEnumerable<string> headers)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port);
        await using var stream = tcp.GetStream();
        var request = new StringBuilder();
        request.Append($"{method} {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nConnection: close\r\n");
        foreach (var header in headers)
            request.Append(header).Append("\r\n");
        request.Append("Content-Length: 0\r\n\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? response : response[..split];
        var body = split < 0 ? "" : response[(split + 4)..];
        var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, head, body);
    }
}
