namespace Tessera.Core.Revocation;

/// <summary>A revoked login (row); deleted once every token of that login has expired.</summary>
public sealed class RevokedLogin
{
    public required string LoginId { get; set; }
    public long UserId { get; set; }
    /// <summary>Unix seconds.</summary>
    public long ExpiresAt { get; set; }
    /// <summary>Unix seconds.</summary>
    public long RevokedAt { get; set; }
}

/// <summary>A <see cref="AdmissionChange"/> as stored: the feed every instance reads after its own start.</summary>
public sealed class RevocationEventRecord
{
    public long Id { get; set; }
    public AdmissionChangeKind Kind { get; set; }
    public long UserId { get; set; }
    public string? LoginId { get; set; }
    /// <summary>Unix seconds (for <see cref="AdmissionChangeKind.LoginRevoked"/>).</summary>
    public long ExpiresAt { get; set; }
    /// <summary>Unix seconds; events are swept a while after, instances that missed them reload.</summary>
    public long CreatedAt { get; set; }
    /// <summary>Unix milliseconds: <see cref="AdmissionChange.CommittedAtMs"/>; 0 for a row written before it was stored.</summary>
    public long CommittedAtMs { get; set; }

    public AdmissionChange ToEvent() => new(Id, Kind, UserId, LoginId, ExpiresAt) { CommittedAtMs = CommittedAtMs };
}
