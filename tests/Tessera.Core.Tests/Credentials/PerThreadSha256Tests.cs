using System.Security.Cryptography;
using System.Text;
using Tessera.Core.Credentials;

namespace Tessera.Core.Tests.Credentials;

/// <summary>The reused per-thread digest is SHA-256, call after call and thread by thread: nothing of one input stays for the next.</summary>
public sealed class PerThreadSha256Tests
{
    [Fact]
    public void Each_call_is_the_digest_of_its_own_input_alone()
    {
        Span<byte> digest = stackalloc byte[32];
        foreach (var length in new[] { 0, 1, 40, 64, 65, 1000, 3 })
        {
            var input = RandomNumberGenerator.GetBytes(length);
            PerThreadSha256.Compute(input, digest);
            Assert.Equal(SHA256.HashData(input), digest.ToArray());
        }
    }

    [Fact]
    public void A_destination_too_small_is_refused_and_leaves_nothing_behind()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PerThreadSha256.Compute("abc"u8, new byte[31]));
        var digest = new byte[32];
        PerThreadSha256.Compute("abc"u8, digest);
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
                PerThreadSha256.Compute(input, digest);
                if (!digest.AsSpan().SequenceEqual(SHA256.HashData(input)))
                    return false;
            }
            return true;
        })).ToArray();
        Assert.All(await Task.WhenAll(tasks), Assert.True);
    }
}
