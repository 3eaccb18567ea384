using Tessera.Core.SigningKeys;

namespace Tessera.Core.Tests.SigningKeys;

public sealed class SigningKeyProtectorTests
{
    private const string Setting = "Tessera:SigningKeys:ProtectionKey";
    private static readonly byte[] PrivateKey = [.. Enumerable.Range(0, 121).Select(i => (byte)i)];
    private readonly SigningKeyProtector _protector = new("protection-key-0123456789-0123456789", Setting);

    [Fact]
    public void A_sealed_key_opens_for_its_row_and_does_not_show_the_key()
    {
        var sealedKey = _protector.Seal("kid-1", "RS256", PrivateKey);

        Assert.Equal(PrivateKey, _protector.Unseal("kid-1", "RS256", sealedKey));
        Assert.DoesNotContain(Convert.ToHexString(PrivateKey[..16]), Convert.ToHexString(sealedKey));
        Assert.NotEqual(sealedKey, _protector.Seal("kid-1", "RS256", PrivateKey)); // a fresh nonce every time
    }

    [Fact]
    public void Under_another_protection_key_it_does_not_open_and_the_error_names_the_setting()
    {
        var sealedKey = _protector.Seal("kid-1", "RS256", PrivateKey);

        var error = Assert.Throws<SigningKeyProtectionException>(() => new SigningKeyProtector("another-key-0123456789-0123456789", Setting).Unseal("kid-1", "RS256", sealedKey));

        Assert.Contains(Setting, error.Message);
        Assert.Contains("kid-1", error.Message);
    }

    [Theory]
    [InlineData("kid-2", "RS256")] // moved to another row
    [InlineData("kid-1", "ES256")] // relabelled as another algorithm
    public void A_sealed_key_moved_to_another_row_does_not_open(string kid, string algorithm)
    {
        var sealedKey = _protector.Seal("kid-1", "RS256", PrivateKey);

        Assert.Throws<SigningKeyProtectionException>(() => _protector.Unseal(kid, algorithm, sealedKey));
    }

    [Fact]
    public void A_tampered_or_truncated_seal_does_not_open()
    {
        var sealedKey = _protector.Seal("kid-1", "RS256", PrivateKey);
        sealedKey[^1] ^= 1;

        Assert.Throws<SigningKeyProtectionException>(() => _protector.Unseal("kid-1", "RS256", sealedKey));
        Assert.Throws<SigningKeyProtectionException>(() => _protector.Unseal("kid-1", "RS256", sealedKey[..10]));
    }
}
