using Microsoft.AspNetCore.SignalR;

namespace Notes;

/// <summary>
/// Live notes: each of a user's connections (every open tab, every device) hears about a change to
/// that user's notes, made from any of them. Push only, so the hub has no methods: the endpoints
/// send through <see cref="IHubContext{THub}"/> to the owner (SignalR's user id is Tessera's user id).
/// A connection is closed when its login ends (<c>AddSignalR().AddTessera()</c>).
/// </summary>
public sealed class NotesHub : Hub
{
    public const string Path = "/hubs/notes";

    /// <summary>The client method called with <c>{id, text}</c> when a note is created or changed.</summary>
    public const string NoteChanged = "NoteChanged";

    public static Task PushAsync(IHubContext<NotesHub> hub, Note note)
        => hub.Clients.User(note.OwnerId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .SendAsync(NoteChanged, new { id = note.Id, text = note.Text });
}
