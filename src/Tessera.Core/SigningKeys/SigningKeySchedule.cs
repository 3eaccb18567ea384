namespace Tessera.Core.SigningKeys;

/// <summary>Where a key is in its life, as <c>tessera keys list</c> shows it.</summary>
public enum SigningKeyState
{
    /// <summary>Published, signs later: verifiers fetch it before its first token.</summary>
    Next,

    /// <summary>Signs every new token.</summary>
    Signing,

    /// <summary>Superseded: signs nothing, still verifies (and is published) until its last token has expired.</summary>
    Published,

    /// <summary>Retired by an operator: verifies nothing, published no more.</summary>
    Retired,

    /// <summary>No token it signed can be valid: verifies nothing; its row is swept.</summary>
    Expired,
}

/// <summary>
/// The rotation schedule as pure logic over the rows and a moment (unix seconds), so that every
/// instance, the CLI and the tests decide alike:
/// <list type="bullet">
/// <item>the <b>signer</b> is the newest generation whose <see cref="StoredSigningKey.SignsFrom"/> has
/// come, unless it is retired: a key once superseded never signs again, and a retired signer leaves
/// none (the next generation is then due at once);</item>
/// <item>the <b>published</b> (verifying) keys are those created, not retired, not expired;</item>
/// <item>the <b>next generation is due</b> when there is no signer, or when no newer key exists and
/// the signer's <c>SignsFrom + RotationInterval − PublishAhead</c> has come (or the configured
/// algorithm changed); it is published now and signs after <see cref="SigningKeyOptions.PublishAhead"/>
/// (at once when there was no signer: nobody can have cached a JWKS without it);</item>
/// <item>a <b>superseded</b> key expires when its successor's first token is as old as the longest
/// token lifetime: then no token it signed can still be valid.</item>
/// </list>
/// A key retired before it ever signed (a pending next key) counts for nothing.
/// </summary>
public static class SigningKeySchedule
{
    /// <summary>The key that signs at <paramref name="now"/>; null when none may (none yet, or the signer was retired).</summary>
    public static StoredSigningKey? Signer(IReadOnlyCollection<StoredSigningKey> rows, long now)
    {
        ArgumentNullException.ThrowIfNull(rows);
        StoredSigningKey? newest = null;
        foreach (var row in rows)
            if (row.SignsFrom <= now && !NeverSigned(row) && (newest is null || row.Generation > newest.Generation))
                newest = row;
        return newest is { RetiredAt: null } && !IsExpired(newest, now) ? newest : null;
    }

    /// <summary>The keys of the JWKS, which verify: created, not retired, not expired; by generation.</summary>
    public static IReadOnlyList<StoredSigningKey> Published(IReadOnlyCollection<StoredSigningKey> rows, long now)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return [.. rows.Where(r => r.CreatedAt <= now && r.RetiredAt is null && !IsExpired(r, now)).OrderBy(r => r.Generation)];
    }

    /// <summary>Whether a new generation must be made at <paramref name="now"/> (see the class summary).</summary>
    public static bool IsNextDue(IReadOnlyCollection<StoredSigningKey> rows, long now, SigningKeyOptions options, string algorithm)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Signer(rows, now) is not { } signer)
            return true;
        if (rows.Any(r => r.Generation > signer.Generation && r.RetiredAt is null))
            return false;
        return signer.Algorithm != algorithm
            || signer.SignsFrom + Seconds(options.RotationInterval) - Seconds(options.PublishAhead) <= now;
    }

    /// <summary>The generation a new key takes: one above every row's.</summary>
    public static long NextGeneration(IReadOnlyCollection<StoredSigningKey> rows)
        => rows.Count == 0 ? 1 : rows.Max(r => r.Generation) + 1;

    /// <summary>When a key made at <paramref name="now"/> signs: at once without a signer (or when told to), else after <see cref="SigningKeyOptions.PublishAhead"/>.</summary>
    public static long SignsFromOfNew(IReadOnlyCollection<StoredSigningKey> rows, long now, SigningKeyOptions options, bool signNow = false)
        => signNow || Signer(rows, now) is null ? now : now + Seconds(options.PublishAhead);

    /// <summary>
    /// The expiries to record at <paramref name="now"/>: each key without one whose successor signs
    /// gets the successor's <c>SignsFrom</c> + <paramref name="longestTokenLifetime"/>.
    /// </summary>
    public static IEnumerable<(string KeyId, long ExpiresAt)> Expiries(IReadOnlyCollection<StoredSigningKey> rows, long now, TimeSpan longestTokenLifetime)
    {
        foreach (var row in rows)
        {
            if (row.ExpiresAt is not null || row.RetiredAt is not null)
                continue;
            var successors = rows.Where(r => r.Generation > row.Generation && r.SignsFrom <= now && !NeverSigned(r)).ToList();
            if (successors.Count > 0)
                yield return (row.KeyId, successors.Min(r => r.SignsFrom) + CeilingSeconds(longestTokenLifetime));
        }
    }

    /// <summary>Where <paramref name="row"/> is in its life at <paramref name="now"/>.</summary>
    public static SigningKeyState StateOf(StoredSigningKey row, IReadOnlyCollection<StoredSigningKey> rows, long now)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.RetiredAt is not null)
            return SigningKeyState.Retired;
        if (IsExpired(row, now))
            return SigningKeyState.Expired;
        if (Signer(rows, now)?.KeyId == row.KeyId)
            return SigningKeyState.Signing;
        return row.SignsFrom > now || row.CreatedAt > now ? SigningKeyState.Next : SigningKeyState.Published;
    }

    /// <summary>
    /// What retiring <paramref name="keyId"/> at <paramref name="now"/> writes; null when there is no
    /// such key or it is retired already. It verifies nothing from now on; its expiry (when no token
    /// it signed can be valid) bounds the change event's life. When it was the signer, the published
    /// next key, if there is one, signs at once: verifiers have had it for a while. Without one, no key
    /// signs until a new generation is made (<see cref="IsNextDue"/> says so at once).
    /// </summary>
    public static SigningKeyRetirement? Retire(IReadOnlyCollection<StoredSigningKey> rows, string keyId, long now, TimeSpan longestTokenLifetime)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var row = rows.FirstOrDefault(r => r.KeyId == keyId);
        if (row is null || row.RetiredAt is not null)
            return null;
        var expiresAt = now + CeilingSeconds(longestTokenLifetime);
        if (row.ExpiresAt is { } expires && expires < expiresAt)
            expiresAt = Math.Max(expires, now);
        string? promoted = null;
        if (Signer(rows, now)?.KeyId == keyId)
            promoted = rows.Where(r => r.Generation > row.Generation && r.RetiredAt is null && r.CreatedAt <= now && !IsExpired(r, now))
                .OrderBy(r => r.Generation).FirstOrDefault()?.KeyId;
        return new SigningKeyRetirement(keyId, now, expiresAt, promoted);
    }

    /// <summary>The rows as they are after <paramref name="retirement"/> (copies; the given rows are not changed).</summary>
    public static IReadOnlyList<StoredSigningKey> Apply(IReadOnlyCollection<StoredSigningKey> rows, SigningKeyRetirement retirement)
    {
        ArgumentNullException.ThrowIfNull(retirement);
        return [.. rows.Select(r =>
        {
            if (r.KeyId == retirement.KeyId)
                return Copy(r, retiredAt: retirement.RetiredAt, expiresAt: retirement.ExpiresAt);
            if (r.KeyId == retirement.PromotedKeyId && r.SignsFrom > retirement.RetiredAt)
                return Copy(r, signsFrom: retirement.RetiredAt);
            return r;
        })];
    }

    /// <summary>A copy of <paramref name="r"/> with the given times changed (rows in memory are never changed in place).</summary>
    internal static StoredSigningKey Copy(StoredSigningKey r, long? signsFrom = null, long? retiredAt = null, long? expiresAt = null) => new()
    {
        KeyId = r.KeyId,
        Algorithm = r.Algorithm,
        Generation = r.Generation,
        PublicJwk = r.PublicJwk,
        ProtectedPrivateKey = r.ProtectedPrivateKey,
        CreatedAt = r.CreatedAt,
        SignsFrom = signsFrom ?? r.SignsFrom,
        ExpiresAt = expiresAt ?? r.ExpiresAt,
        RetiredAt = retiredAt ?? r.RetiredAt,
    };

    private static bool IsExpired(StoredSigningKey row, long now) => row.ExpiresAt is { } at && at <= now;

    /// <summary>Retired before its first token: a pending next key withdrawn, which supersedes nothing.</summary>
    private static bool NeverSigned(StoredSigningKey row) => row.RetiredAt is { } at && at < row.SignsFrom;

    private static long Seconds(TimeSpan span) => (long)span.TotalSeconds;

    private static long CeilingSeconds(TimeSpan span) => (long)Math.Ceiling(span.TotalSeconds);
}
