using Tessera.Core.Admission;
using Tessera.Core.Credentials;

namespace Tessera.Core.RealTime;

/// <summary>
/// Issues and redeems tickets: a ticket stands for the proof of the login that asked for it, and
/// outlives nothing (it expires at the earlier of <see cref="Lifetime"/> and that credential's expiry).
/// </summary>
internal sealed class RealTimeTicketIssuer(IRealTimeTicketStore tickets, CredentialSeal seal, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>A new ticket for the login of <paramref name="proof"/>: its secret (shown once) and how long it lives.</summary>
    public async Task<(string Key, TimeSpan ExpiresIn)> IssueAsync(CredentialProof proof, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var expires = now + Lifetime;
        if (proof.ExpiresAt is { } credentialExpiry && credentialExpiry < expires)
            expires = credentialExpiry;
        var key = RealTimeTicketKeys.New(seal);
        await tickets.AddAsync(new RealTimeTicket
        {
            KeyHash = OpaqueSecret.Hash(key),
            UserId = proof.UserId,
            Scheme = proof.Scheme,
            LoginId = proof.Login?.ToString(),
            LoginTimeMs = proof.LoginTimeMs,
            Epoch = proof.Epoch,
            CredentialExpiresAtMs = proof.ExpiresAt?.ToUnixTimeMilliseconds(),
            SigningKeyId = proof.SigningKeyId,
            ExpiresAtMs = expires.ToUnixTimeMilliseconds(),
        }, cancellationToken).ConfigureAwait(false);
        return (key, expires - now);
    }

    /// <summary>
    /// The proof the ticket stands for, once: null for a ticket not sealed here (no read), unknown,
    /// already used or expired. Whether its login is still admitted is the gate's question.
    /// </summary>
    public async ValueTask<CredentialProof?> RedeemAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!RealTimeTicketKeys.IsOurs(seal, key))
            return null;
        var row = await tickets.TakeAsync(OpaqueSecret.Hash(key), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (row is null)
            return null;
        Revocation.LoginId? login = Revocation.LoginId.TryParse(row.LoginId, out var id) ? id : null;
        return new CredentialProof(row.UserId, row.Scheme,
            row.CredentialExpiresAtMs is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null,
            login, row.LoginTimeMs, row.Epoch)
        {
            SigningKeyId = row.SigningKeyId,
        };
    }
}
