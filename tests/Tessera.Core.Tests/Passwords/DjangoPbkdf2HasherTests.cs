using System.Text.RegularExpressions;
using Tessera.Core.Passwords;

namespace Tessera.Core.Tests.Passwords;

public sealed class DjangoPbkdf2HasherTests
{
    // Vectors from Django's own suite, tests/auth_tests/test_hashers.py, test_pbkdf2:
    //   make_password("lètmein", "seasalt", "pbkdf2_sha256") for the Django version's iteration
    //   count (3.2: 260000, 4.2: 600000, main: 1500000), and test_low_level_pbkdf2_sha1.
    // Each was re-derived with Python's stdlib, the primitive Django uses:
    //   base64.b64encode(hashlib.pbkdf2_hmac("sha256", pw.encode("utf-8"), salt.encode("utf-8"), n)).decode()
    private const string Django32 = "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=";
    private const string Django42 = "pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=";
    private const string DjangoMain = "pbkdf2_sha256$1500000$seasalt$P4UiMPVduVWIL/oS1GzH+IofsccjJNM5hUTikBvi5to=";
    private const string DjangoSha1 = "pbkdf2_sha1$600000$seasalt2$2CLsaL1MZhq6JOG6QOHtVbiopHE=";

    // Made with Python's stdlib as above (no Django involved), a 22-character salt like ours:
    //   pbkdf2_hmac("sha256", "пароль-密码-🔑".encode("utf-8"), b"QwErTy1234567890abcdEF", 1000)
    private const string NonAscii1000 = "pbkdf2_sha256$1000$QwErTy1234567890abcdEF$D70bSiE6Weokh0XYwLlhEbLa6gVY9PuD9vukNAGPCC0=";
    //   pbkdf2_hmac("sha256", b"", b"seasalt", 260000): Django's blank-password case.
    private const string Blank260000 = "pbkdf2_sha256$260000$seasalt$O2fWBq/Tb/xsu7DZ1jOnLmAmQVccDI4DuGtVaRvu24s=";

    private static readonly Regex Format = new(@"^pbkdf2_sha256\$1000\$[a-zA-Z0-9]{22}\$[A-Za-z0-9+/]{43}=$");

    private static DjangoPbkdf2Hasher Cheap() => new(1000);

    [Theory]
    [InlineData(Django32)]
    [InlineData(Django42)]
    [InlineData(DjangoMain)]
    public void Django_vectors_verify(string encoded)
    {
        // "seasalt" is shorter than 22 characters: Django's must_update_salt asks for a rehash too.
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, Cheap().Verify("lètmein", encoded));
    }

    [Fact]
    public void Django_vector_wrong_password_fails()
    {
        var hasher = Cheap();
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("lètmeinz", Django32));
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("letmein", Django32)); // no accent
    }

    [Theory]
    [InlineData("lètmein", "seasalt", 260000, Django32)]
    [InlineData("lètmein", "seasalt", 600000, Django42)]
    [InlineData("", "seasalt", 260000, Blank260000)]
    [InlineData("пароль-密码-🔑", "QwErTy1234567890abcdEF", 1000, NonAscii1000)]
    public void Encode_reproduces_make_password(string password, string salt, int iterations, string expected)
    {
        Assert.Equal(expected, DjangoPbkdf2Hasher.Encode(password, salt, iterations));
    }

    [Fact]
    public void Non_ascii_password_with_full_salt_and_current_iterations_is_plain_success()
    {
        var hasher = Cheap();
        Assert.Equal(PasswordVerification.Success, hasher.Verify("пароль-密码-🔑", NonAscii1000));
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("пароль-密码-🔐", NonAscii1000));
        // Normalisation is not ours to do: Django hashes the code points it is given.
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("пароль-密码-🔑 ", NonAscii1000));
    }

    [Fact]
    public void Blank_password_verifies_like_django()
    {
        var hasher = Cheap();
        Assert.True(hasher.Verify("", Blank260000).Succeeded());
        Assert.Equal(PasswordVerification.Failed, hasher.Verify(" ", Blank260000));
    }

    [Fact]
    public void Legacy_sha1_verifies_and_asks_for_rehash()
    {
        var hasher = Cheap();
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, hasher.Verify("lètmein", DjangoSha1));
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("lètmeinz", DjangoSha1));
        // Django 1.4's test vector (10000 iterations).
        Assert.Equal(PasswordVerification.SuccessRehashNeeded,
            hasher.Verify("letmein", "pbkdf2_sha1$10000$seasalt$91JiNKgwADC8j2j86Ije/cc4vfQ="));
    }

    [Fact]
    public void Hash_has_djangos_exact_format_and_round_trips()
    {
        var hasher = Cheap();
        var encoded = hasher.Hash("correct horse battery staple");
        Assert.Matches(Format, encoded);
        Assert.Equal(PasswordVerification.Success, hasher.Verify("correct horse battery staple", encoded));
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("correct horse battery stapl", encoded));

        // And it is exactly what Django would compute for that salt.
        var salt = encoded.Split('$')[2];
        Assert.Equal(encoded, DjangoPbkdf2Hasher.Encode("correct horse battery staple", salt, 1000));
    }

    [Fact]
    public void Hash_uses_configured_iterations()
    {
        var hasher = new DjangoPbkdf2Hasher(new PasswordHashingOptions { Iterations = 1234 });
        Assert.Equal(1234, hasher.Iterations);
        Assert.StartsWith("pbkdf2_sha256$1234$", hasher.Hash("x"), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_hashes_of_one_password_differ()
    {
        var hasher = Cheap();
        var a = hasher.Hash("same");
        var b = hasher.Hash("same");
        Assert.NotEqual(a, b);
        Assert.NotEqual(a.Split('$')[2], b.Split('$')[2]);
        Assert.True(hasher.Verify("same", a).Succeeded());
        Assert.True(hasher.Verify("same", b).Succeeded());
    }

    [Fact]
    public void Salts_use_djangos_alphabet_and_vary()
    {
        var hasher = Cheap();
        var salts = Enumerable.Range(0, 50).Select(_ => hasher.Hash("p").Split('$')[2]).ToList();
        Assert.All(salts, s => Assert.Matches("^[a-zA-Z0-9]{22}$", s));
        Assert.Equal(salts.Count, salts.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Fewer_stored_iterations_need_rehash_more_do_not()
    {
        var stored = DjangoPbkdf2Hasher.Encode("pw", "QwErTy1234567890abcdEF", 1000);
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, new DjangoPbkdf2Hasher(2000).Verify("pw", stored));
        Assert.Equal(PasswordVerification.Failed, new DjangoPbkdf2Hasher(2000).Verify("px", stored));

        var stronger = DjangoPbkdf2Hasher.Encode("pw", "QwErTy1234567890abcdEF", 3000);
        Assert.Equal(PasswordVerification.Success, new DjangoPbkdf2Hasher(2000).Verify("pw", stronger));
    }

    [Fact]
    public void Short_salt_needs_rehash()
    {
        // Django < 3.1 used 12-character salts (71 bits).
        var stored = DjangoPbkdf2Hasher.Encode("pw", "abcdefghijkl", 1000);
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, Cheap().Verify("pw", stored));
    }

    [Fact]
    public void Non_ascii_salt_is_utf8_like_django()
    {
        // Django accepts any salt without '$' in make_password. Python: salt.encode("utf-8").
        var stored = DjangoPbkdf2Hasher.Encode("pw", "sèl-sel-sel-sel-sel-sel", 1000);
        Assert.Equal(PasswordVerification.Success, Cheap().Verify("pw", stored));
    }

    [Fact]
    public void Tampered_hash_fails()
    {
        var hasher = Cheap();
        var encoded = hasher.Hash("secret");
        var parts = encoded.Split('$');

        var key = Convert.FromBase64String(parts[3]);
        key[0] ^= 1;
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("secret", $"{parts[0]}${parts[1]}${parts[2]}${Convert.ToBase64String(key)}"));

        var otherSalt = parts[2][..^1] + (parts[2][^1] == 'a' ? 'b' : 'a');
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("secret", $"{parts[0]}${parts[1]}${otherSalt}${parts[3]}"));
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("secret", $"{parts[0]}$1001${parts[2]}${parts[3]}"));
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("secret", $"{Django32.Split('$')[0]}${parts[1]}${parts[2]}${parts[3]}x"));
    }

    public static TheoryData<string?> Malformed()
    {
        var good = DjangoPbkdf2Hasher.Encode("pw", "QwErTy1234567890abcdEF", 1000);
        var key = good.Split('$')[3];
        var prefix = "pbkdf2_sha256$1000$QwErTy1234567890abcdEF$";
        return new TheoryData<string?>
        {
            null,
            "",
            "!",
            "!" + good,                                     // unusable password (Django's set_unusable_password)
            DjangoPbkdf2Hasher.CreateUnusablePassword(),
            "pw",
            "$$$",
            "pbkdf2_sha256",
            "pbkdf2_sha256$1000",
            "pbkdf2_sha256$1000$QwErTy1234567890abcdEF",
            prefix,                                         // empty hash
            "pbkdf2_sha256$1000$$" + key,                   // empty salt
            "PBKDF2_SHA256$1000$QwErTy1234567890abcdEF$" + key,
            "pbkdf2_sha512$1000$QwErTy1234567890abcdEF$" + key,
            "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$bWFueWhhc2g",
            "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz12",
            "md5$seasalt$f5531bef9f3687d0ccf0f617f0e25573",
            " pbkdf2_sha256$1000$QwErTy1234567890abcdEF$" + key,
            "pbkdf2_sha256$abc$QwErTy1234567890abcdEF$" + key,
            "pbkdf2_sha256$$QwErTy1234567890abcdEF$" + key,
            "pbkdf2_sha256$0$QwErTy1234567890abcdEF$" + key,
            "pbkdf2_sha256$-1000$QwErTy1234567890abcdEF$" + key,
            "pbkdf2_sha256$+1000$QwErTy1234567890abcdEF$" + key,
            "pbkdf2_sha256$01000$QwErTy1234567890abcdEF$" + key, // Django re-encodes "1000": no match
            "pbkdf2_sha256$1 000$QwErTy1234567890abcdEF$" + key,
            "pbkdf2_sha256$1000.0$QwErTy1234567890abcdEF$" + key,
            "pbkdf2_sha256$١٠٠٠$QwErTy1234567890abcdEF$" + key,   // Arabic-Indic digits (Python's int() takes them)
            "pbkdf2_sha256$10000001$QwErTy1234567890abcdEF$" + key, // above the cap
            "pbkdf2_sha256$2147483648$QwErTy1234567890abcdEF$" + key,
            "pbkdf2_sha256$99999999999999999999999999999$QwErTy1234567890abcdEF$" + key,
            prefix + "not base64!",
            prefix + key.TrimEnd('='),                      // unpadded
            prefix + key + "=",
            prefix + key[..^2] + "==",                      // too short
            prefix + "A" + key,                             // too long
            prefix + key[..^2] + (key[^2] == 'A' ? 'B' : 'A') + "=", // another key
            prefix + key.Replace('+', '-').Replace('/', '_') + (key.Contains('+') || key.Contains('/') ? "" : "x"), // base64url
            prefix + " " + key[1..],
            prefix + key + "$extra",
            "pbkdf2_sha256$1000$QwErTy1234567890abcdE\uD800$" + key, // lone surrogate in salt
            "pbkdf2_sha1$1000$seasalt$" + key,              // sha256-length key under sha1
            new string('$', 10_000),
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_encodings_fail_without_throwing(string? encoded)
    {
        Assert.Equal(PasswordVerification.Failed, Cheap().Verify("pw", encoded));
    }

    [Fact]
    public void Non_canonical_final_base64_character_fails()
    {
        // A 32-byte key's last base64 character carries 2 unused bits: Django's string comparison
        // rejects a spelling with them set, and so do we.
        var good = DjangoPbkdf2Hasher.Encode("pw", "QwErTy1234567890abcdEF", 1000);
        var key = good.Split('$')[3];
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var last = alphabet.IndexOf(key[^2], StringComparison.Ordinal);
        Assert.Equal(0, last & 3);
        var bent = good[..^2] + alphabet[last | 1] + "=";
        Assert.Equal(Convert.FromBase64String(key), Convert.FromBase64String(bent.Split('$')[3]));
        Assert.Equal(PasswordVerification.Failed, Cheap().Verify("pw", bent));
    }

    [Fact]
    public void Absurd_iteration_count_is_not_run()
    {
        // 10,000,000 is accepted (cap); a crafted row above it must fail before any PBKDF2 work
        // beyond the dummy one at the configured count.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = Cheap().Verify("pw", "pbkdf2_sha256$999999999$QwErTy1234567890abcdEF$D70bSiE6Weokh0XYwLlhEbLa6gVY9PuD9vukNAGPCC0=");
        Assert.Equal(PasswordVerification.Failed, result);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), started.Elapsed.ToString());
    }

    [Fact]
    public void Lone_surrogate_password_fails_to_verify_and_refuses_to_hash()
    {
        var hasher = Cheap();
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("pw\uD800", NonAscii1000));
        hasher.VerifyDummy("pw\uDC00");
        Assert.Throws<ArgumentException>(() => hasher.Hash("pw\uD800"));
    }

    [Fact]
    public void Null_password_is_a_programming_error()
    {
        var hasher = Cheap();
        Assert.Throws<ArgumentNullException>(() => hasher.Hash(null!));
        Assert.Throws<ArgumentNullException>(() => hasher.Verify(null!, NonAscii1000));
        Assert.Throws<ArgumentNullException>(() => hasher.VerifyDummy(null!));
    }

    [Fact]
    public void Iterations_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DjangoPbkdf2Hasher(999));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DjangoPbkdf2Hasher(10_000_001));
    }

    [Fact]
    public void Unusable_passwords_look_like_djangos()
    {
        var unusable = DjangoPbkdf2Hasher.CreateUnusablePassword();
        Assert.Matches("^![a-zA-Z0-9]{40}$", unusable);
        Assert.True(DjangoPbkdf2Hasher.IsUnusablePassword(unusable));
        Assert.False(DjangoPbkdf2Hasher.IsUnusablePassword(NonAscii1000));
        Assert.False(DjangoPbkdf2Hasher.IsUnusablePassword(null));
        Assert.Equal(PasswordVerification.Failed, Cheap().Verify(unusable, unusable));
    }

    [Fact]
    public void Long_password_works()
    {
        var hasher = Cheap();
        var password = new string('é', 100_000);
        var encoded = hasher.Hash(password);
        Assert.Equal(PasswordVerification.Success, hasher.Verify(password, encoded));
        Assert.Equal(PasswordVerification.Failed, hasher.Verify(password[..^1], encoded));
    }
}
