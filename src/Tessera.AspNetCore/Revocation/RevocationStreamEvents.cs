using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Tessera.Core.Revocation;
using Tessera.Core.Users;

namespace Tessera.AspNetCore.Revocation;

/// <summary>One event of the revocation stream, its data already JSON; <see cref="Id"/> is the feed's (none in a snapshot).</summary>
internal sealed record RevocationStreamEvent(long? Id, string Name, string Data)
{
    public const string LoginRevoked = "login-revoked";
    public const string UserLoginsEnded = "user-logins-ended";
    public const string UserDeactivated = "user-deactivated";
    public const string KeyRetired = "key-retired";
    public const string Ready = "ready";

    /// <summary>
    /// The epoch sent for a deleted user: every token of theirs carries a smaller one, so "refuse the
    /// user's tokens whose epoch is below it" refuses them all (ids are never reused).
    /// </summary>
    public const long DeletedUserEpoch = long.MaxValue;

    public static RevocationStreamEvent RevokedLogin(long? id, string loginId, long? userId, long until)
        => new(id, LoginRevoked, JsonSerializer.Serialize(new { login_id = loginId, user_id = userId, until }));

    public static RevocationStreamEvent RetiredKey(long? id, string kid, long until)
        => new(id, KeyRetired, JsonSerializer.Serialize(new { kid, until }));

    public static RevocationStreamEvent EndedLogins(long? id, long userId, long epoch, bool inactive)
        => new(id, inactive ? UserDeactivated : UserLoginsEnded, JsonSerializer.Serialize(new { user_id = userId, epoch }));

    public static RevocationStreamEvent ReadyAt(long lastEventId)
        => new(lastEventId, Ready, JsonSerializer.Serialize(new { last_event_id = lastEventId }));

    /// <summary>
    /// What a change applied to this instance's memory means to a resource service, read after it was
    /// applied (the user's snapshot is then the database's); null for a change that ends nothing (a
    /// user who never had logins ended: created, or a profile change).
    /// </summary>
    public static RevocationStreamEvent? Of(AdmissionChange change, UserSnapshots users) => change.Kind switch
    {
        AdmissionChangeKind.LoginRevoked when change.LoginId is { } login => RevokedLogin(change.Id, login, change.UserId, change.ExpiresAt),
        AdmissionChangeKind.SigningKeyRetired when change.LoginId is { } kid => RetiredKey(change.Id, kid, change.ExpiresAt),
        AdmissionChangeKind.UserChanged => users.Find(change.UserId) switch
        {
            null => EndedLogins(change.Id, change.UserId, DeletedUserEpoch, inactive: true),
            { IsActive: false } user => EndedLogins(change.Id, user.Id, user.RevocationEpoch, inactive: true),
            // Epoch 0: no login of theirs was ever ended, so there is nothing to refuse (the cheap "did it move").
            { RevocationEpoch: > 0 } user => EndedLogins(change.Id, user.Id, user.RevocationEpoch, inactive: false),
            _ => null,
        },
        _ => null,
    };

    /// <summary>
    /// The event as <c>text/event-stream</c> (WHATWG HTML §9.2): <c>id:</c> only when given (an id
    /// the connection has passed is sent without, so that ids only increase), then the name and data.
    /// </summary>
    public void WriteTo(PipeWriter writer, bool withId)
    {
        var text = withId && Id is { } id ? $"id: {id}\nevent: {Name}\ndata: {Data}\n\n" : $"event: {Name}\ndata: {Data}\n\n";
        Encoding.UTF8.GetBytes(text, writer);
    }

    public static void WriteHeartbeat(PipeWriter writer) => writer.Write(": heartbeat\n\n"u8);
}
