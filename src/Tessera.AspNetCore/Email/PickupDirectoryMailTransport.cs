using System.Globalization;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Tessera.AspNetCore.Email;

/// <summary>
/// Development and tests: each message becomes one RFC 5322 <c>.eml</c> file in
/// <see cref="EmailOptions.PickupDirectory"/>. Written to a temporary name first, then renamed
/// (atomic within a directory), so a reader that lists <c>*.eml</c> never sees half a message.
/// </summary>
internal sealed class PickupDirectoryMailTransport(IOptions<EmailOptions> options, TimeProvider time) : IMailTransport
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var directory = Path.GetFullPath(options.Value.PickupDirectory!);
        Directory.CreateDirectory(directory);
        // Sortable by time, unique by the random part.
        var name = string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():yyyyMMdd'T'HHmmss'.'fffffff}-{Guid.NewGuid():N}");
        var temporary = Path.Combine(directory, name + ".tmp");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true))
            {
                await message.WriteToAsync(file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            File.Move(temporary, Path.Combine(directory, name + ".eml"));
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
