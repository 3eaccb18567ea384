using Tessera.Core.Revocation;

namespace Tessera.Core.Logins;

/// <summary>
/// Writes a new login's <see cref="LoginRecord"/>, with the request's origin: called by the one place
/// that makes each kind (<see cref="Jwt.JwtLoginService"/>, sessions, DRF tokens, API keys).
/// </summary>
public sealed class LoginRecords(ILoginRecordStore store, TimeProvider time, Audit.IRequestOrigin? origin = null)
{
    public async Task RecordAsync(long userId, string kind, LoginId login, DateTimeOffset? expiresAt, long? epoch, string? credential,
        CancellationToken cancellationToken = default)
    {
        var from = origin?.Current;
        await store.AddAsync(new LoginRecord
        {
            LoginId = login.ToString(),
            UserId = userId,
            Kind = kind,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            ExpiresAt = expiresAt?.UtcDateTime,
            Ip = Truncate(from?.Ip, LoginRecord.IpMaxLength),
            UserAgent = Truncate(from?.UserAgent, LoginRecord.UserAgentMaxLength),
            Epoch = epoch,
            Credential = credential,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A JWT login's end moved by a rotation: its record stays listed (and is swept) as long as the login lives.</summary>
    public Task ExtendAsync(LoginId login, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
        => store.ExtendAsync(login, expiresAt.UtcDateTime, cancellationToken);

    private static string? Truncate(string? text, int max) => text is { } t && t.Length > max ? t[..max] : text;
}
