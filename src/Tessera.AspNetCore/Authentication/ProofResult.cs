using Tessera.Core.Admission;

namespace Tessera.AspNetCore.Authentication;

/// <summary>What a scheme made of the request: no credentials of its kind, refused credentials, or a proof.</summary>
internal readonly record struct ProofResult(CredentialProof? Proof, AuthFailure? Failure, object? Credential)
{
    public static ProofResult NoCredentials => default;

    public static ProofResult Fail(AuthFailure failure) => new(null, failure, null);

    /// <param name="credential">The validated credential itself (a token), for endpoints that show it.</param>
    public static ProofResult Proven(CredentialProof proof, object? credential = null) => new(proof, null, credential);
}
