namespace Tessera.Core.Credentials;

/// <summary>The read every stored credential kind answers the same way: what admission asks of its store on a miss.</summary>
public interface IStoredCredentialStore<TCredential> where TCredential : class, IStoredCredential
{
    /// <summary>The unexpired credential with this key hash (<see cref="OpaqueSecret.Hash"/>), or null.</summary>
    Task<TCredential?> FindAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken = default);
}
