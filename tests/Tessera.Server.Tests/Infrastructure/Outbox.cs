using System.Text.RegularExpressions;
using MimeKit;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The server's pickup directory, read as the conformance suite reads it: every <c>*.eml</c> file
/// is a whole RFC 5322 message, and a token is the <c>token=</c> of a link in its body.
/// </summary>
public sealed partial class Outbox(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Every message to <paramref name="address"/> so far, oldest first.</summary>
    public IReadOnlyList<MimeMessage> To(string address)
    {
        if (!System.IO.Directory.Exists(Directory))
            return [];
        return System.IO.Directory.GetFiles(Directory, "*.eml").Order(StringComparer.Ordinal)
            .Select(path => MimeMessage.Load(path))
            .Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }

    /// <summary>The token of the <paramref name="index"/>-th message to the address, waiting for it to arrive.</summary>
    public async Task<string> TokenAsync(string address, int index = 0, TimeSpan? wait = null)
    {
        var message = await MessageAsync(address, index, wait);
        return TokenIn(message) ?? throw new InvalidOperationException($"no token= in the mail to {address}");
    }

    public async Task<MimeMessage> MessageAsync(string address, int index = 0, TimeSpan? wait = null)
    {
        var deadline = DateTime.UtcNow + (wait ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var messages = To(address);
            if (messages.Count > index)
                return messages[index];
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{messages.Count} mail(s) to {address}; waited for #{index + 1}");
            await Task.Delay(25);
        }
    }

    public static string? TokenIn(MimeMessage message)
    {
        var match = TokenPattern().Match(message.TextBody ?? message.HtmlBody ?? "");
        return match.Success ? Uri.UnescapeDataString(match.Groups[1].Value) : null;
    }

    // The conformance suite's pattern.
    [GeneratedRegex("token=([A-Za-z0-9._~%-]+)")]
    private static partial Regex TokenPattern();
}
