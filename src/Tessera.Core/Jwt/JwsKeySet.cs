using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Tessera.Core.Jwt;

/// <summary>
/// The keys tokens are verified with, and the one new tokens are signed with. Immutable: a change
/// is a new set, swapped in through <see cref="JwsKeyRing.Replace"/>. Either a single key without
/// <c>kid</c> (a shared HS256 secret, as SimpleJWT has: a token's <c>kid</c> is then ignored), or
/// keys that each have a distinct <c>kid</c> (a token must name one).
/// </summary>
public sealed class JwsKeySet
{
    private readonly Entry[] _entries;
    private readonly Dictionary<string, Entry> _byKeyId;
    private readonly Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _byKeyIdSpan;

    /// <param name="signing">The key new tokens are signed with (it must have its private key), or null for a set that only verifies.</param>
    /// <param name="verifying">The other keys tokens may be signed with (the signing key may be among them too).</param>
    /// <exception cref="ArgumentException">Two keys share a kid; a key without kid is not alone; the signing key cannot sign.</exception>
    public JwsKeySet(JwsSigningKey? signing, IEnumerable<JwsSigningKey> verifying)
    {
        ArgumentNullException.ThrowIfNull(verifying);
        if (signing is not null && !signing.HasPrivateKey)
        {
            throw new ArgumentException("The signing key has no private key.", nameof(signing));
        }

        var keys = new List<JwsSigningKey>();
        if (signing is not null)
        {
            keys.Add(signing);
        }

        foreach (JwsSigningKey key in verifying)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(verifying));
            if (!keys.Any(k => ReferenceEquals(k, key)))
            {
                keys.Add(key);
            }
        }

        _entries = new Entry[keys.Count];
        _byKeyId = new Dictionary<string, Entry>(StringComparer.Ordinal);
        for (int i = 0; i < keys.Count; i++)
        {
            JwsSigningKey key = keys[i];
            var entry = new Entry(key);
            _entries[i] = entry;
            if (key.KeyId is null)
            {
                if (keys.Count != 1)
                {
                    throw new ArgumentException("A key without kid must be the only key of its set: tokens could not say which key signed them.", nameof(verifying));
                }

                Keyless = key;
            }
            else if (!_byKeyId.TryAdd(key.KeyId, entry))
            {
                throw new ArgumentException($"Two keys have the kid '{key.KeyId}'.", nameof(verifying));
            }
        }

        _byKeyIdSpan = _byKeyId.GetAlternateLookup<ReadOnlySpan<char>>();
        Signing = signing;
        SigningEntry = signing is null ? null : _entries[0];
        Keys = Array.AsReadOnly(keys.ToArray());
    }

    /// <summary>The key new tokens are signed with; null when this set only verifies.</summary>
    public JwsSigningKey? Signing { get; }

    /// <summary>Every key a token may be signed with (the signing key included).</summary>
    public IReadOnlyCollection<JwsSigningKey> Keys { get; }

    /// <summary>The single key without kid, whose tokens' kid is ignored; null for a set of named keys.</summary>
    internal JwsSigningKey? Keyless { get; }

    internal Entry? SigningEntry { get; }

    internal ReadOnlySpan<Entry> Entries => _entries;

    /// <summary>A set of <paramref name="key"/> alone, signing with it when it can (else verifying only).</summary>
    public static JwsKeySet Single(JwsSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.HasPrivateKey ? new JwsKeySet(key, []) : new JwsKeySet(null, [key]);
    }

    /// <summary>The key named <paramref name="kid"/>.</summary>
    public bool TryGet(string kid, [MaybeNullWhen(false)] out JwsSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(kid);
        key = _byKeyId.TryGetValue(kid, out Entry? entry) ? entry.Key : null;
        return key is not null;
    }

    internal Entry? Find(ReadOnlySpan<char> kid) => _byKeyIdSpan.TryGetValue(kid, out Entry? entry) ? entry : null;

    /// <summary>Whether this set still holds <paramref name="key"/> (the instance, or the same key pair loaded again).</summary>
    internal bool Contains(JwsSigningKey key)
    {
        if (Keyless is not null)
        {
            return Keyless.IsSameKey(key);
        }

        return key.KeyId is not null && _byKeyId.TryGetValue(key.KeyId, out Entry? entry) && entry.Key.IsSameKey(key);
    }

    /// <summary>A key and the header Tessera writes for it, encoded once: a token whose header is these very characters needs no header parsing.</summary>
    internal sealed class Entry
    {
        public Entry(JwsSigningKey key)
        {
            Key = key;
            EncodedHeader = StrictBase64Url.Encode(BuildHeader(key));
        }

        public JwsSigningKey Key { get; }

        /// <summary>
        /// <c>{"alg":..,"kid":..,"typ":"JWT"}</c>, kid left out when the key has none. PyJWT sorts
        /// header keys, so SimpleJWT writes the same bytes.
        /// </summary>
        public string EncodedHeader { get; }

        private static byte[] BuildHeader(JwsSigningKey key)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteString("alg", key.Algorithm);
                if (key.KeyId is not null)
                {
                    writer.WriteString("kid", key.KeyId);
                }

                writer.WriteString("typ", "JWT");
                writer.WriteEndObject();
            }

            return stream.ToArray();
        }
    }
}
