using Microsoft.Extensions.DependencyInjection;
using Tessera.Data;

namespace Tessera.AspNetCore;

/// <summary>Returned by <c>AddTessera</c> to choose the stores.</summary>
public sealed class TesseraBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>Stores over the application's EF Core context, which derives from <see cref="TesseraDbContext"/>.</summary>
    public TesseraBuilder AddEntityFrameworkStores<TContext>() where TContext : TesseraDbContext
    {
        Services.AddTesseraEntityFrameworkStores<TContext>();
        return this;
    }
}
