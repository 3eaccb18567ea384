using System.Security.Cryptography;
using System.Text;
using Tessera.Core.Credentials;

namespace Tessera.Core.Tests.Credentials;

/// <summary>
/// The request path's digest (the BCL's context, reused per thread) is SHA-256, call after call and
/// thread by thread: nothing of one input stays for the next.
/// </summary>
public sealed class Sha256DigestTests
{
    [Fact]
    public void Each_call_is_the_digest_of_its_own_input_alone()
    {
        var digest = new byte[32];
        foreach (var length in new[] { 0, 1, 40, 55, 56, 64, 65, 1000, 20_000, 3 })
        {
            var input = RandomNumberGenerator.GetBytes(length);
            Sha256Digest.Compute(input, digest);
            Assert.Equal(SHA256.HashData(input), digest);
        }
    }

    [Fact]
    public void A_destination_too_small_is_refused_and_leaves_nothing_behind()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sha256Digest.Compute("abc"u8, new byte[31]));
        var digest = new byte[32];
        Sha256Digest.Compute("abc"u8, digest);
        Assert.Equal(SHA256.HashData("abc"u8), digest);
    }

    [Fact]
    public async Task Threads_hashing_at_once_each_get_their_own_digests()
    {
        var inputs = Enumerable.Range(0, 8).Select(i => Encoding.UTF8.GetBytes($"secret-{i}-{new string('x', i * 17)}")).ToArray();
        var tasks = inputs.Select(input => Task.Run(() =>
        {
            var digest = new byte[32];
            for (var i = 0; i < 2_000; i++)
            {
                Sha256Digest.Compute(input, digest);
                if (!digest.AsSpan().SequenceEqual(SHA256.HashData(input)))
                    return false;
            }
            return true;
        })).ToArray();
        Assert.All(await Task.WhenAll(tasks), Assert.True);
    }
}
