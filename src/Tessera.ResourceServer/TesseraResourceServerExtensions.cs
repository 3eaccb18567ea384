using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tessera.ResourceServer;
using Tessera.ResourceServer.Authentication;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>AddTesseraResourceServer</c> on the authentication builder, in AddJwtBearer's shape: a scheme
/// (default <see cref="TesseraResourceServerDefaults.AuthenticationScheme"/>) whose options name
/// Tessera (<see cref="TesseraResourceServerOptions.Authority"/>) and the API key that reads its
/// revocations (<see cref="TesseraResourceServerOptions.ApiKey"/>).
/// </summary>
public static class TesseraResourceServerExtensions
{
    public static AuthenticationBuilder AddTesseraResourceServer(this AuthenticationBuilder builder)
        => builder.AddTesseraResourceServer(TesseraResourceServerDefaults.AuthenticationScheme, _ => { });

    public static AuthenticationBuilder AddTesseraResourceServer(this AuthenticationBuilder builder, Action<TesseraResourceServerOptions> configureOptions)
        => builder.AddTesseraResourceServer(TesseraResourceServerDefaults.AuthenticationScheme, configureOptions);

    public static AuthenticationBuilder AddTesseraResourceServer(this AuthenticationBuilder builder, string authenticationScheme, Action<TesseraResourceServerOptions> configureOptions)
        => builder.AddTesseraResourceServer(authenticationScheme, displayName: null, configureOptions);

    public static AuthenticationBuilder AddTesseraResourceServer(this AuthenticationBuilder builder, string authenticationScheme, string? displayName, Action<TesseraResourceServerOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(authenticationScheme);
        var services = builder.Services;
        services.AddHttpClient(TesseraResourceServerDefaults.HttpClientName, client =>
        {
            // The stream is one response that lasts for hours; each call sets its own deadline.
            client.Timeout = Timeout.InfiniteTimeSpan;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TesseraAuthorities>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<TesseraResourceServerOptions>, TesseraResourceServerPostConfigure>());
        // One background service per scheme: its keys and its revocation stream.
        services.AddSingleton<IHostedService>(sp => new TesseraResourceServerService(authenticationScheme, sp.GetRequiredService<TesseraAuthorities>()));
        // Bad settings stop the start, not the first request.
        services.AddOptions<TesseraResourceServerOptions>(authenticationScheme).Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        return builder.AddScheme<TesseraResourceServerOptions, TesseraResourceServerHandler>(authenticationScheme, displayName, configureOptions);
    }
}
