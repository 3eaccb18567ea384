using System.Security.Cryptography;
using Tessera.Core.ApiKeys;
using Tessera.Core.Credentials;
using Tessera.Core.OpaqueTokens;
using Tessera.Core.Sessions;

namespace Tessera.Core.Tests.Credentials;

public sealed class CredentialSealTests
{
    private static CredentialSeal Loaded(byte[]? key = null)
    {
        var seal = new CredentialSeal();
        seal.Load(key ?? RandomNumberGenerator.GetBytes(CredentialSeal.KeySize));
        return seal;
    }

    [Fact]
    public void Minted_secrets_are_sealed_and_keep_their_wire_format()
    {
        var seal = Loaded();
        for (var i = 0; i < 200; i++)
        {
            var session = SessionKeys.New(seal);
            var token = OpaqueTokenKeys.New(seal);
            var (key, prefix) = ApiKeyFormat.New(seal);
            Assert.True(SessionKeys.IsWellFormed(session));
            Assert.Matches("^[0-9a-f]{40}$", token);
            Assert.True(ApiKeyFormat.IsWellFormed(key));
            Assert.StartsWith($"tk_{prefix}_", key);
            Assert.True(seal.IsSealed(SessionKeys.Format, session));
            Assert.True(seal.IsSealed(OpaqueTokenKeys.Format, token));
            Assert.True(seal.IsSealed(ApiKeyFormat.Format, key));
        }
    }

    [Fact]
    public void Any_changed_character_breaks_the_seal()
    {
        var seal = Loaded();
        var token = OpaqueTokenKeys.New(seal);
        for (var i = 0; i < token.Length; i++)
        {
            var changed = token.ToCharArray();
            changed[i] = changed[i] == 'a' ? 'b' : 'a';
            Assert.False(seal.IsSealed(OpaqueTokenKeys.Format, new string(changed)), $"position {i}");
        }
    }

    [Fact]
    public void Another_deployment_key_or_another_kind_does_not_match()
    {
        var seal = Loaded();
        var token = OpaqueTokenKeys.New(seal);
        Assert.False(Loaded().IsSealed(OpaqueTokenKeys.Format, token));
        // Same alphabet and seal length, another purpose: a token's seal is no other kind's.
        Assert.False(seal.IsSealed(OpaqueTokenKeys.Format with { Purpose = "other" }, token));
    }

    [Fact]
    public void Random_secrets_of_the_right_shape_are_not_sealed()
    {
        var seal = Loaded();
        var matched = 0;
        for (var i = 0; i < 100_000; i++)
            if (seal.IsSealed(OpaqueTokenKeys.Format, RandomNumberGenerator.GetHexString(40, lowercase: true)))
                matched++;
        Assert.Equal(0, matched); // 1 in 4 billion each
    }

    [Fact]
    public void Before_the_key_is_loaded_nothing_is_sealed_and_nothing_can_be_minted()
    {
        var seal = new CredentialSeal();
        Assert.False(seal.IsLoaded);
        Assert.False(seal.IsSealed(OpaqueTokenKeys.Format, new string('a', 40)));
        Assert.Throws<InvalidOperationException>(() => OpaqueTokenKeys.New(seal));
        Assert.Throws<ArgumentException>(() => seal.Load(new byte[16]));
    }

    [Fact]
    public void Oversized_input_is_refused_without_work()
        => Assert.False(Loaded().IsSealed(OpaqueTokenKeys.Format, new string('a', 100_000)));
}
