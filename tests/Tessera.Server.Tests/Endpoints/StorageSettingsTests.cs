using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;
using Tessera.Server.Data;

namespace Tessera.Server.Tests.Endpoints;

/// <summary><c>Tessera:Storage:Provider</c> and <c>ConnectionStrings:Tessera</c> as the server reads them.</summary>
public sealed class StorageSettingsTests
{
    private static (StorageProvider, string) Read(params (string Key, string Value)[] settings)
        => ServerStorage.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void Without_settings_it_is_SQLite_in_tessera_db()
        => Assert.Equal((StorageProvider.Sqlite, "Data Source=tessera.db"), Read());

    [Theory]
    [InlineData("Postgres")]
    [InlineData("postgres")]
    [InlineData(" POSTGRES ")]
    public void Postgres_is_named_in_any_case(string provider)
        => Assert.Equal(StorageProvider.Postgres, Read(("Tessera:Storage:Provider", provider), ("ConnectionStrings:Tessera", "Host=db;Database=t")).Item1);

    [Fact]
    public void A_Postgres_connection_string_without_a_timeout_gets_five_seconds()
    {
        var (_, connectionString) = Read(("Tessera:Storage:Provider", "Postgres"), ("ConnectionStrings:Tessera", "Host=db;Database=t;Username=u"));
        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        Assert.Equal(ServerStorage.DefaultPostgresConnectTimeoutSeconds, parsed.Timeout);
        Assert.Equal("db", parsed.Host);
        Assert.Equal("t", parsed.Database);
    }

    [Theory]
    [InlineData("Timeout=20")]
    [InlineData("timeout = 20")]
    public void A_timeout_the_connection_string_names_is_kept(string timeout)
        => Assert.Equal(20, new NpgsqlConnectionStringBuilder(Read(("Tessera:Storage:Provider", "Postgres"), ("ConnectionStrings:Tessera", $"Host=db;{timeout}")).Item2).Timeout);

    [Theory]
    [InlineData("Tessera:Storage:Provider", "Mongo", "must be Sqlite or Postgres")]
    [InlineData("Tessera:Storage:Provider", "3", "must be Sqlite or Postgres")]
    public void An_unknown_provider_stops_the_start_naming_the_setting(string key, string value, string message)
    {
        var e = Assert.Throws<OptionsValidationException>(() => Read((key, value)));
        Assert.Contains("Tessera:Storage:Provider", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_without_a_connection_string_says_what_is_missing()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Read(("Tessera:Storage:Provider", "Postgres")));
        Assert.Contains("ConnectionStrings:Tessera", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_connection_string_is_refused_without_repeating_it()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Read(("Tessera:Storage:Provider", "Postgres"), ("ConnectionStrings:Tessera", "Host=db;Password=hunter2;Bogus Keyword=1")));
        Assert.Contains("ConnectionStrings:Tessera", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }
}
