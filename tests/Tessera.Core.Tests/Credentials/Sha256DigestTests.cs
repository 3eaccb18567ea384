using System.Security.Cryptography;
using System.Text;
using Tessera.Core.Credentials;

namespace Tessera.Core.Tests.Credentials;

/// <summary>
/// The request path's digest is SHA-256, call after call and thread by thread, whichever way it is
/// computed (libcrypto's stack context, or the BCL's per-thread one): nothing of one input stays for the next.
/// </summary>
public sealed class Sha256DigestTests
{
    public delegate void Digest(ReadOnlySpan<byte> input, Span<byte> destination);

    public static TheoryData<string> Paths => ["chosen", "per-thread"];

    private static Digest PathNamed(string path) => path == "chosen" ? Sha256Digest.Compute : Sha256Digest.ComputePerThread;

    [Theory]
    [MemberData(nameof(Paths))]
    public void Each_call_is_the_digest_of_its_own_input_alone(string path)
    {
        var compute = PathNamed(path);
        var digest = new byte[32];
        foreach (var length in new[] { 0, 1, 40, 55, 56, 64, 65, 1000, 20_000, 3 })
        {
            var input = RandomNumberGenerator.GetBytes(length);
            compute(input, digest);
            Assert.Equal(SHA256.HashData(input), digest);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_destination_too_small_is_refused_and_leaves_nothing_behind(string path)
    {
        var compute = PathNamed(path);
        Assert.Throws<ArgumentOutOfRangeException>(() => compute("abc"u8, new byte[31]));
        var digest = new byte[32];
        compute("abc"u8, digest);
        Assert.Equal(SHA256.HashData("abc"u8), digest);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Threads_hashing_at_once_each_get_their_own_digests(string path)
    {
        var compute = PathNamed(path);
        var inputs = Enumerable.Range(0, 8).Select(i => Encoding.UTF8.GetBytes($"secret-{i}-{new string('x', i * 17)}")).ToArray();
        var tasks = inputs.Select(input => Task.Run(() =>
        {
            var digest = new byte[32];
            for (var i = 0; i < 2_000; i++)
            {
                compute(input, digest);
                if (!digest.AsSpan().SequenceEqual(SHA256.HashData(input)))
                    return false;
            }
            return true;
        })).ToArray();
        Assert.All(await Task.WhenAll(tasks), Assert.True);
    }
}
