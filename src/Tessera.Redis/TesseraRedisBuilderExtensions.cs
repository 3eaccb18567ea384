using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tessera.AspNetCore;
using Tessera.AspNetCore.Hosting;
using Tessera.Core.Revocation;
using Tessera.Core.Throttling;
using Tessera.Redis.Revocation;
using Tessera.Redis.Throttling;

namespace Tessera.Redis;

public static class TesseraRedisBuilderExtensions
{
    /// <summary>
    /// A deployment of several instances: Redis carries every committed revocation to every instance
    /// (pub/sub, with the database feed as the catch-up) and holds the throttling and login-protection
    /// counters, so that limits hold across instances. The server is <c>ConnectionStrings:Redis</c>
    /// unless <paramref name="configuration"/> is given; options from <c>Tessera:Redis</c>.
    /// </summary>
    public static TesseraBuilder AddRedis(this TesseraBuilder builder, string? configuration = null, Action<RedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var connectionString = configuration ?? builder.Configuration.GetConnectionString(RedisOptions.ConnectionStringName);
        services.AddValidatedOptions<RedisOptions>(builder.Configuration, RedisOptions.SectionName, o => o.Validate())
            .Configure(o =>
            {
                o.Configuration = connectionString ?? o.Configuration;
                configure?.Invoke(o);
            });
        if (services.Any(d => d.ServiceType == typeof(RedisConnection)))
            return builder; // called twice: one registration
        services.AddSingleton<RedisConnection>();

        services.AddSingleton<RedisRevocationChannel>();
        services.Replace(ServiceDescriptor.Singleton<IRevocationBusState>(sp => sp.GetRequiredService<RedisRevocationChannel>()));
        services.Replace(ServiceDescriptor.Scoped<IRevocationBus, RedisRevocationBus>());
        // After the feed's own start (registered by AddTessera), which loads the state.
        services.AddHostedService(sp => sp.GetRequiredService<RedisRevocationChannel>());

        services.Replace(ServiceDescriptor.Singleton<IRateLimitStore, RedisRateLimitStore>());
        services.Replace(ServiceDescriptor.Singleton<ILoginAttemptStore, RedisLoginAttemptStore>());
        return builder;
    }
}
