using System.Security.Cryptography;
using System.Text;
using Tessera.Core.Jwt;

namespace Tessera.Core.SigningKeys;

/// <summary>
/// Seals a private key for its row: AES-256-GCM under a key derived by HKDF-SHA256 from the
/// configured secret (<see cref="SigningKeyOptions.ProtectionKey"/>, else <c>Tessera:Jwt:SigningKey</c>),
/// a random nonce per seal, and the row's kid and algorithm as associated data, so a sealed key copied
/// into another row (another kid, another algorithm) does not open. Format: version (1) | nonce (12)
/// | tag (16) | ciphertext.
/// </summary>
internal sealed class SigningKeyProtector
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Info = "Tessera signing key protection v1"u8.ToArray();

    private readonly byte[] _key;

    /// <param name="secret">The configured secret.</param>
    /// <param name="settingName">The setting it came from, for the error an operator reads.</param>
    public SigningKeyProtector(string secret, string settingName)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, salt: [], info: Info);
        SettingName = settingName;
    }

    /// <summary>The setting the key is derived from.</summary>
    public string SettingName { get; }

    public static SigningKeyProtector FromOptions(SigningKeyOptions options, JwtOptions jwt)
        => string.IsNullOrEmpty(options.ProtectionKey)
            ? new SigningKeyProtector(jwt.SigningKey, $"{JwtOptions.SectionName}:SigningKey (from which the protection key is derived while {SigningKeyOptions.SectionName}:ProtectionKey is unset)")
            : new SigningKeyProtector(options.ProtectionKey, $"{SigningKeyOptions.SectionName}:ProtectionKey");

    public byte[] Seal(string keyId, string algorithm, ReadOnlySpan<byte> privateKey)
    {
        var sealedKey = new byte[1 + NonceSize + TagSize + privateKey.Length];
        sealedKey[0] = Version;
        var nonce = sealedKey.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, privateKey, sealedKey.AsSpan(1 + NonceSize + TagSize), sealedKey.AsSpan(1 + NonceSize, TagSize), AssociatedData(keyId, algorithm));
        return sealedKey;
    }

    /// <summary>The private key; <see cref="SigningKeyProtectionException"/> when it was sealed under another key or for another row, or is damaged.</summary>
    public byte[] Unseal(string keyId, string algorithm, byte[] sealedKey)
    {
        ArgumentNullException.ThrowIfNull(sealedKey);
        if (sealedKey.Length < 1 + NonceSize + TagSize || sealedKey[0] != Version)
            throw new SigningKeyProtectionException(keyId, $"the sealed private key of signing key '{keyId}' is damaged or of an unknown format.");
        var plain = new byte[sealedKey.Length - 1 - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedKey.AsSpan(1, NonceSize), sealedKey.AsSpan(1 + NonceSize + TagSize), sealedKey.AsSpan(1 + NonceSize, TagSize), plain, AssociatedData(keyId, algorithm));
            return plain;
        }
        catch (CryptographicException)
        {
            throw new SigningKeyProtectionException(keyId,
                $"the private key of signing key '{keyId}' ({algorithm}) cannot be unsealed: {SettingName} is not the secret it was sealed with (or the row was altered).");
        }
    }

    private static byte[] AssociatedData(string keyId, string algorithm) => Encoding.UTF8.GetBytes($"{keyId}\n{algorithm}");
}

/// <summary>A stored private key that does not open: the wrong protection key, or a row altered or moved.</summary>
internal sealed class SigningKeyProtectionException(string keyId, string message) : CryptographicException(message)
{
    public string KeyId { get; } = keyId;
}
