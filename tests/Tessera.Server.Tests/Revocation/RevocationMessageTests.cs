using Tessera.Core.Revocation;
using Tessera.Redis.Revocation;

namespace Tessera.Server.Tests.Revocation;

/// <summary>
/// The Redis channel's message across versions: the commit time rides as an eighth field, and an
/// instance of this version still reads the seven fields of one that does not send it (a rolling
/// upgrade), and the fields a later version may add.
/// </summary>
public sealed class RevocationMessageTests
{
    private static readonly Guid Origin = Guid.NewGuid();

    [Fact]
    public void A_change_travels_with_its_commit_time()
    {
        var change = new AdmissionChange(42, AdmissionChangeKind.LoginRevoked, 7, "login-id", 1_800_000_000) { CommittedAtMs = 1_765_000_000_123 };

        Assert.True(RevocationMessage.TryParse(RevocationMessage.Format(Origin, change), out var origin, out var read, out _));

        Assert.Equal(Origin, origin);
        Assert.Equal(change, read);
        Assert.Equal(1_765_000_000_123, read!.CommittedAtMs);
    }

    [Fact]
    public void A_message_of_an_earlier_version_is_read_with_an_unknown_commit_time()
    {
        var old = $"1|{Origin:N}|42|2|7|login-id|1800000000";

        Assert.True(RevocationMessage.TryParse(old, out _, out var read, out _));

        Assert.Equal(new AdmissionChange(42, AdmissionChangeKind.LoginRevoked, 7, "login-id", 1_800_000_000), read);
        Assert.Equal(0, read!.CommittedAtMs);
    }

    [Fact]
    public void Fields_a_later_version_adds_are_ignored_and_a_bad_commit_time_is_refused()
    {
        Assert.True(RevocationMessage.TryParse($"1|{Origin:N}|42|1|7||0|1765000000123|something-new", out _, out var read, out _));
        Assert.Equal(1_765_000_000_123, read!.CommittedAtMs);

        Assert.False(RevocationMessage.TryParse($"1|{Origin:N}|42|1|7||0|soon", out _, out _, out _));
        Assert.False(RevocationMessage.TryParse($"1|{Origin:N}|42|1|7|", out _, out _, out _));
    }
}
