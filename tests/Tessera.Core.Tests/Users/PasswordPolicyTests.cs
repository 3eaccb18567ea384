using System.Security.Cryptography;
using Tessera.Core.Users;

namespace Tessera.Core.Tests.Users;

public sealed class PasswordPolicyTests
{
    private static readonly PasswordPolicy Policy = PasswordPolicy.Default;

    [Fact]
    public void A_long_passphrase_of_plain_words_is_accepted()
    {
        var passphrase = "correct horse battery staple on a quiet morning by the old harbour wall"; // 72 characters, no digit, no capital
        Assert.True(passphrase.Length >= 64);

        Assert.Empty(Policy.Check(passphrase, new PasswordOwner("alice", "alice@example.com")));
    }

    [Fact]
    public void There_are_no_composition_rules()
    {
        Assert.Empty(Policy.Check("9081726354")); // all digits, but not a common password
        Assert.Empty(Policy.Check("lowercaseonlywords"));
    }

    [Theory]
    [InlineData("password")]
    [InlineData("PassWord")]
    [InlineData("  password ")]
    [InlineData("qwerty123")]
    [InlineData("iloveyou")]
    public void Common_passwords_are_refused_whatever_their_case(string password)
        => Assert.Contains("This password is too common.", Policy.Check(password));

    [Fact]
    public void The_shipped_list_is_Django_s_twenty_thousand()
        => Assert.InRange(CommonPasswords.Count, 19_000, 20_000);

    [Fact]
    public void Too_short_names_the_configured_minimum()
    {
        Assert.Equal(["This password is too short. It must contain at least 8 characters."], Policy.Check("Zq7!kx"));
        var twelve = new PasswordPolicy(new PasswordPolicyOptions { MinimumLength = 12 });
        Assert.Equal(["This password is too short. It must contain at least 12 characters."], twelve.Check("Zq7!kxWp9m"));
        Assert.Empty(twelve.Check("Zq7!kxWp9mTt"));
    }

    [Fact]
    public void Length_counts_characters_not_bytes_or_UTF16_units()
        => Assert.Empty(Policy.Check("🦊🦉🐙🦋🐢🦔🐝🦜")); // 8 code points, 16 UTF-16 units, 32 bytes

    [Fact]
    public void The_bound_on_what_hashing_costs_is_in_bytes()
    {
        Assert.Empty(Policy.Check(new string('x', 4000) + "Zq7!"));
        Assert.Equal(["This password is too long. It must contain at most 4096 bytes."], Policy.Check(new string('é', 2049))); // 4098 bytes
    }

    [Theory]
    [InlineData("alice2024", "username")]
    [InlineData("Alice!", "username")]
    [InlineData("smith1979", "last name")]
    [InlineData("alicesmithexample", "email address")]
    public void Passwords_like_the_account_s_own_attributes_are_refused(string password, string attribute)
    {
        var owner = new PasswordOwner("alice", "alice.smith@example.com", "Alice", "Smith");
        Assert.Contains($"The password is too similar to the {attribute}.", Policy.Check(password, owner));
    }

    [Fact]
    public void A_part_of_the_email_counts_as_well_as_the_whole()
        => Assert.Contains("The password is too similar to the email address.",
            Policy.Check("harbourmaster", new PasswordOwner("jb", "j.harbourmaster@example.com")));

    [Fact]
    public void Random_passwords_are_not_taken_for_random_usernames()
    {
        // The shape the conformance suite registers with: Django's quick_ratio alone refuses about 1 in 2,000.
        for (var i = 0; i < 5_000; i++)
        {
            var name = "u" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
            var password = "S3cure-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            Assert.Empty(Policy.Check(password, new PasswordOwner(name, name + "@example.com")));
        }
    }

    [Theory]
    [InlineData("abcd", "bcde", 0.75, 0.75)]
    [InlineData("abxcd", "abcd", 8.0 / 9, 8.0 / 9)]
    [InlineData("dcba", "abcd", 1.0, 0.25)] // same characters, one in order
    [InlineData("", "", 1.0, 1.0)]
    public void Ratios_are_Python_s(string a, string b, double quick, double ratio)
    {
        static int[] Points(string s) => s.EnumerateRunes().Select(r => r.Value).ToArray();
        Assert.Equal(quick, AttributeSimilarity.QuickRatio(Points(a), Points(b)), 9);
        Assert.Equal(ratio, AttributeSimilarity.Ratio(Points(a), Points(b)), 9);
    }

    [Fact]
    public void Settings_are_validated()
    {
        Assert.Empty(new PasswordPolicyOptions().Validate());
        Assert.NotEmpty(new PasswordPolicyOptions { MinimumLength = 0 }.Validate());
        Assert.NotEmpty(new PasswordPolicyOptions { MaximumBytes = 63 }.Validate());
        Assert.NotEmpty(new PasswordPolicyOptions { MaxSimilarity = 0.05 }.Validate());
    }
}
