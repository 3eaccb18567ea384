namespace Tessera.Core.Credentials;

/// <summary>Where the deployment keeps its <see cref="CredentialSeal"/> key: the database every instance shares.</summary>
public interface ICredentialSealStore
{
    /// <summary>
    /// The deployment's seal key, made from <paramref name="candidateKey"/> when there is none yet
    /// (the first start; of instances starting together, one key wins and all read it), and the key
    /// hashes of the sessions, DRF tokens and API keys stored before it existed, which carry no seal
    /// (read until none is left; after that, never again).
    /// </summary>
    Task<CredentialSealState> LoadAsync(byte[] candidateKey, DateTimeOffset now, CancellationToken cancellationToken = default);
}

public sealed record CredentialSealState(byte[] Key, IReadOnlyList<string> UnsealedKeyHashes);

/// <summary>The seal key as stored (one row).</summary>
public sealed class CredentialSealKey
{
    public const int TheId = 1;

    public int Id { get; set; } = TheId;

    /// <summary>Lowercase hex of the key's <see cref="CredentialSeal.KeySize"/> bytes.</summary>
    public required string Key { get; set; }

    /// <summary>Unix seconds: credentials stored until then may carry no seal.</summary>
    public long CreatedAt { get; set; }

    /// <summary>
    /// True once a start found no credential stored until <see cref="CreatedAt"/>: none can appear
    /// later (everything minted since carries the seal), so later starts read no credential table.
    /// </summary>
    public bool NoneUnsealed { get; set; }
}
