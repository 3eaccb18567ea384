using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tessera.AspNetCore.Hosting;

/// <summary>
/// At start, says what a configuration asks for that the app's registrations do not do: a key under
/// <c>Tessera</c> that nothing reads (misspelled, or of a feature not added), and a Redis server
/// set while Redis is not added (each instance would keep its revocations and counters to itself,
/// and another instance would admit a logged-out token until its feed's next read).
/// </summary>
internal sealed partial class SettingsCheck(TesseraSettings settings, IConfiguration configuration, ILogger<SettingsCheck> logger) : IHostedService
{
    /// <summary>The section <c>AddRedis()</c> registers (Tessera.Redis's RedisOptions), and its server's setting.</summary>
    internal const string RedisSectionName = "Tessera:Redis";
    internal const string RedisConnectionStringName = "Redis";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var key in settings.UnknownKeys(configuration))
            UnknownSetting(logger, key);
        if (!settings.Has(RedisSectionName) && !string.IsNullOrWhiteSpace(configuration.GetConnectionString(RedisConnectionStringName)))
            RedisNotAdded(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "{Key} is not a setting of anything added to this app, and is ignored: is it misspelled, or is its feature not added?")]
    private static partial void UnknownSetting(ILogger logger, string key);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "ConnectionStrings:Redis is set, but Redis is not added: revocations and counters stay in this instance, and other instances learn a logout only from their next feed read. Add the Tessera.Redis package and call .AddRedis() after AddTessera(...), or remove the setting.")]
    private static partial void RedisNotAdded(ILogger logger);
}
