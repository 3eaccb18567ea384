using Tessera.Core.Passwords;

namespace Tessera.Core.Tests.Passwords;

public sealed class PasswordHashingOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_sensible()
    {
        var options = new PasswordHashingOptions();
        Assert.Empty(options.Validate());
        Assert.Equal(600_000, options.Iterations);
        Assert.Equal(Environment.ProcessorCount, options.MaxConcurrency);
        Assert.True(options.QueueLimit > 0);
        Assert.Equal("Tessera:Passwords", PasswordHashingOptions.SectionName);
    }

    [Theory]
    [InlineData(999, 1, 1, "Iterations")]
    [InlineData(0, 1, 1, "Iterations")]
    [InlineData(10_000_001, 1, 1, "Iterations")]
    [InlineData(1000, 0, 1, "MaxConcurrency")]
    [InlineData(1000, -3, 1, "MaxConcurrency")]
    [InlineData(1000, 100_000, 1, "MaxConcurrency")]
    [InlineData(1000, 1, 0, "QueueLimit")]
    public void Bad_values_are_reported(int iterations, int concurrency, int queue, string property)
    {
        var options = new PasswordHashingOptions { Iterations = iterations, MaxConcurrency = concurrency, QueueLimit = queue };
        var problem = Assert.Single(options.Validate());
        Assert.Contains("Tessera:Passwords:" + property, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void All_problems_are_reported_and_the_pool_refuses_them()
    {
        var options = new PasswordHashingOptions { Iterations = 1, MaxConcurrency = 0, QueueLimit = 0 };
        Assert.Equal(3, options.Validate().Count());
        var error = Assert.Throws<ArgumentException>(() => new PasswordHashingPool(options));
        Assert.Contains("MaxConcurrency", error.Message, StringComparison.Ordinal);
    }
}
