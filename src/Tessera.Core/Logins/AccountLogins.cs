using Tessera.Core.Admission;
using Tessera.Core.Revocation;

namespace Tessera.Core.Logins;

/// <summary>
/// A user's own logins: listed (the records of those the gate would still admit), and ended one by
/// one or all but the current one, each through <see cref="AdmissionChanges"/> so that every
/// instance refuses it on its next request.
/// </summary>
internal sealed class AccountLogins(ILoginRecordStore store, AdmissionGate gate, AdmissionChanges changes, TimeProvider time,
    Jwt.JwtOptions? jwt = null)
{
    public async Task<IReadOnlyList<LoginRecord>> ListAsync(long userId, CancellationToken cancellationToken = default)
    {
        var records = await store.ListActiveAsync(userId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return [.. records.Where(r => IsAdmitted(userId, r))];
    }

    /// <summary>Ends the user's login <paramref name="loginId"/>; false when the user has no such active login.</summary>
    public async Task<bool> EndAsync(long userId, string loginId, CancellationToken cancellationToken = default)
    {
        if (!LoginId.TryParse(loginId, out _))
            return false;
        var record = (await ListAsync(userId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.LoginId == loginId);
        if (record is null)
            return false;
        await EndAsync(record, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Ends every active login of the user except <paramref name="current"/>.</summary>
    public async Task EndOthersAsync(long userId, LoginId? current, CancellationToken cancellationToken = default)
    {
        var keep = current?.ToString();
        foreach (var record in await ListAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            if (record.LoginId != keep)
                await EndAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EndAsync(LoginRecord record, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        switch (record.Kind)
        {
            case LoginKinds.Jwt:
                LoginId.TryParse(record.LoginId, out var login);
                // Until its last token can expire: with rotation a refresh mints a refresh token that
                // outlives the record's end, so no earlier than a logout's revocation (now + the longest lifetime).
                var until = now + (jwt?.LongestTokenLifetime ?? TimeSpan.FromDays(365));
                if (record.ExpiresAt is { } e && new DateTimeOffset(e, TimeSpan.Zero) > until)
                    until = new DateTimeOffset(e, TimeSpan.Zero);
                await changes.RevokeLoginAsync(record.UserId, login, until, LoginRevocationReasons.LoginDeleted, cancellationToken).ConfigureAwait(false);
                break;
            case LoginKinds.Session:
                await changes.EndSessionAsync(record.Credential!, now, cancellationToken).ConfigureAwait(false);
                break;
            case LoginKinds.Token:
                await changes.DeleteOpaqueTokensAsync(record.UserId, record.Credential!, now, cancellationToken).ConfigureAwait(false);
                break;
            case LoginKinds.ApiKey:
                await changes.DeleteApiKeyAsync(record.UserId, record.Credential!, now, cancellationToken).ConfigureAwait(false);
                break;
        }
        await store.RemoveAsync(record.UserId, [record.LoginId], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Would the gate still admit this login (revoked ones and a moved epoch are out; the app's rules are not asked)?</summary>
    private bool IsAdmitted(long userId, LoginRecord record)
    {
        if (!LoginId.TryParse(record.LoginId, out var login))
            return false;
        var proof = new CredentialProof(userId, record.Kind, null, login, login.CreatedAtMs, record.Epoch);
        return gate.Admit(proof).Rejection is AdmissionRejection.None or AdmissionRejection.RefusedByRule;
    }
}
