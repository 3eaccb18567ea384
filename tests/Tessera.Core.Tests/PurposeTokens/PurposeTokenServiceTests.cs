using System.Text;
using System.Text.RegularExpressions;
using Tessera.Core.PurposeTokens;
using Tessera.Core.Tests.Throttling;
using Tessera.Core.Users;

namespace Tessera.Core.Tests.PurposeTokens;

public sealed class PurposeTokenServiceTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("test-signing-key-0123456789-0123456789-0123456789");
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly ManualTimeProvider _time = new();

    private PurposeTokenService Service(byte[]? secret = null) => new(secret ?? Secret, _time);

    private static User Alice() => new()
    {
        Id = 42, Username = "alice", Email = "alice@example.com", PasswordHash = "pbkdf2_sha256$1000$salt$hash", RevocationEpoch = 3,
    };

    [Fact]
    public void A_token_is_valid_for_its_purpose_and_user_until_it_expires()
    {
        var tokens = Service();
        var alice = Alice();
        var token = tokens.Issue(TokenPurpose.PasswordReset, alice, Hour);

        Assert.True(tokens.TryReadUserId(TokenPurpose.PasswordReset, token, out var id));
        Assert.Equal(42, id);
        Assert.True(tokens.IsValid(TokenPurpose.PasswordReset, token, alice));
        _time.Advance(Hour - TimeSpan.FromSeconds(1));
        Assert.True(tokens.IsValid(TokenPurpose.PasswordReset, token, alice));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(tokens.IsValid(TokenPurpose.PasswordReset, token, alice));
        Assert.False(tokens.TryReadUserId(TokenPurpose.PasswordReset, token, out _));
    }

    [Fact]
    public void A_token_serves_its_own_purpose_only()
    {
        var tokens = Service();
        var alice = Alice();
        var reset = tokens.Issue(TokenPurpose.PasswordReset, alice, Hour);
        var verify = tokens.Issue(TokenPurpose.EmailVerification, alice, Hour);

        Assert.False(tokens.TryReadUserId(TokenPurpose.EmailVerification, reset, out _));
        Assert.False(tokens.IsValid(TokenPurpose.EmailVerification, reset, alice));
        Assert.False(tokens.TryReadUserId(TokenPurpose.PasswordReset, verify, out _));
        Assert.False(tokens.IsValid(TokenPurpose.PasswordReset, verify, alice));
        // Not even with the tag swapped: each purpose has its own key.
        Assert.False(tokens.IsValid(TokenPurpose.PasswordReset, "rst" + verify[3..], alice));
    }

    [Fact]
    public void A_reset_token_dies_when_the_password_or_the_email_changes_and_with_revoke_all()
    {
        var tokens = Service();
        var token = tokens.Issue(TokenPurpose.PasswordReset, Alice(), Hour);

        var changed = Alice();
        changed.PasswordHash = "pbkdf2_sha256$1000$salt2$other";
        Assert.False(tokens.IsValid(TokenPurpose.PasswordReset, token, changed));
        var revoked = Alice();
        revoked.RevocationEpoch++;
        Assert.False(tokens.IsValid(TokenPurpose.PasswordReset, token, revoked));
        var renamedEmail = Alice();
        renamedEmail.Email = "other@example.com";
        Assert.False(tokens.IsValid(TokenPurpose.PasswordReset, token, renamedEmail)); // mailed to the old address
        var verified = Alice();
        verified.EmailVerified = true;
        Assert.True(tokens.IsValid(TokenPurpose.PasswordReset, token, verified));
    }

    [Fact]
    public void A_verification_token_dies_when_the_email_changes_or_is_verified()
    {
        var tokens = Service();
        var token = tokens.Issue(TokenPurpose.EmailVerification, Alice(), Hour);

        var moved = Alice();
        moved.Email = "alice@elsewhere.example";
        Assert.False(tokens.IsValid(TokenPurpose.EmailVerification, token, moved));
        var verified = Alice();
        verified.EmailVerified = true;
        Assert.False(tokens.IsValid(TokenPurpose.EmailVerification, token, verified));
        var newPassword = Alice();
        newPassword.PasswordHash = "pbkdf2_sha256$1000$salt2$other";
        Assert.True(tokens.IsValid(TokenPurpose.EmailVerification, token, newPassword));
    }

    [Fact]
    public void Another_user_s_state_or_another_deployment_s_secret_does_not_fit()
    {
        var token = Service().Issue(TokenPurpose.PasswordReset, Alice(), Hour);
        var bob = Alice();
        bob.Id = 43;

        Assert.False(Service().IsValid(TokenPurpose.PasswordReset, token, bob));
        Assert.False(Service(Encoding.UTF8.GetBytes("another-deployment-key-0123456789-0123456789")).IsValid(TokenPurpose.PasswordReset, token, Alice()));
        // Another instance of the same deployment (the same configured secret) accepts it.
        Assert.True(new PurposeTokenService(Secret, _time).IsValid(TokenPurpose.PasswordReset, token, Alice()));
    }

    [Fact]
    public void Tampered_and_malformed_tokens_are_refused()
    {
        var tokens = Service();
        var alice = Alice();
        var token = tokens.Issue(TokenPurpose.PasswordReset, alice, Hour);
        var parts = token.Split('.');
        var flipped = parts[2][..^1] + (parts[2][^1] == 'A' ? 'B' : 'A');

        foreach (var bad in new[]
        {
            "", "rst", "rst..", token + "x", token[..^1], $"{parts[0]}.{parts[1]}.{flipped}", $"{parts[0]}.{parts[1]}=.{parts[2]}",
            token.ToUpperInvariant(), " " + token, "not-a-token", new string('a', 5000),
        })
        {
            Assert.False(tokens.IsValid(TokenPurpose.PasswordReset, bad, alice), bad);
            Assert.False(tokens.TryReadUserId(TokenPurpose.PasswordReset, bad, out _) && tokens.IsValid(TokenPurpose.PasswordReset, bad, alice), bad);
        }
    }

    [Fact]
    public void Tokens_fit_in_a_link_query_as_they_are()
    {
        var token = Service().Issue(TokenPurpose.EmailVerification, Alice(), Hour);
        Assert.Matches(new Regex(@"^[A-Za-z0-9._~-]+$"), token);
        Assert.Equal(2, token.Count(c => c == '.')); // the conformance suite's token= pattern; no JWS either (the tag is no header)
    }

    [Fact]
    public void A_short_secret_is_refused()
        => Assert.Throws<ArgumentException>(() => new PurposeTokenService(new byte[16], _time));
}
