using System.Security.Cryptography;
using System.Text;
using Tessera.Core.Jwt;
using static Tessera.Core.Tests.Jwt.TokenTestKit;

namespace Tessera.Core.Tests.Jwt;

/// <summary>The reused per-thread HMAC must give exactly what the one-shot gives, whatever came before.</summary>
public class HmacSha256SigningKeyTests
{
    private static readonly byte[] KeyBytes = Encoding.UTF8.GetBytes(Secret);

    [Fact]
    public void Every_length_matches_the_one_shot()
    {
        var key = new HmacSha256SigningKey(Secret);
        var random = new Random(3);
        Span<byte> signature = stackalloc byte[32];
        for (int n = 0; n < 300; n++)
        {
            byte[] input = new byte[n];
            random.NextBytes(input);

            Assert.True(key.TrySign(input, signature, out int written));
            Assert.Equal(32, written);
            Assert.Equal(HMACSHA256.HashData(KeyBytes, input), signature.ToArray());
            Assert.True(key.Verify(input, signature));
        }
    }

    [Fact]
    public void A_too_small_destination_leaves_nothing_behind()
    {
        var key = new HmacSha256SigningKey(Secret);
        byte[] input = "header.payload"u8.ToArray();

        Assert.False(key.TrySign(input, new byte[31], out int written));
        Assert.Equal(0, written);

        // Had the refused call appended its input, this MAC would cover it twice.
        byte[] signature = new byte[32];
        Assert.True(key.TrySign(input, signature, out _));
        Assert.Equal(HMACSHA256.HashData(KeyBytes, input), signature);
    }

    [Fact]
    public void A_failed_verification_leaves_nothing_behind()
    {
        var key = new HmacSha256SigningKey(Secret);
        byte[] input = "header.payload"u8.ToArray();
        byte[] good = HMACSHA256.HashData(KeyBytes, input);

        Assert.False(key.Verify(input, new byte[32]));
        Assert.False(key.Verify(input, good.AsSpan(0, 31)));
        Assert.True(key.Verify(input, good));
    }

    [Fact]
    public void Two_keys_on_one_thread_keep_their_own_state()
    {
        var one = new HmacSha256SigningKey(Secret);
        var two = new HmacSha256SigningKey(Secret + "2");
        byte[] input = "x"u8.ToArray();

        for (int i = 0; i < 3; i++)
        {
            Assert.True(one.Verify(input, HMACSHA256.HashData(KeyBytes, input)));
            Assert.True(two.Verify(input, HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret + "2"), input)));
            Assert.False(two.Verify(input, HMACSHA256.HashData(KeyBytes, input)));
        }
    }

    [Fact]
    public void Concurrent_use_of_one_key_gives_every_thread_the_right_mac()
    {
        var key = new HmacSha256SigningKey(Secret);
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            var random = new Random(worker);
            byte[] signature = new byte[32];
            for (int i = 0; i < 2_000; i++)
            {
                byte[] input = new byte[random.Next(0, 400)];
                random.NextBytes(input);
                Assert.True(key.TrySign(input, signature, out _));
                Assert.Equal(HMACSHA256.HashData(KeyBytes, input), signature);
                Assert.True(key.Verify(input, signature));
            }
        });
    }
}
