namespace Tessera.AspNetCore.Events;

/// <summary>What <c>AddTessera(configuration, o => …)</c> configures beyond the settings of each feature.</summary>
public sealed class TesseraOptions
{
    /// <summary>The app's hooks. Replaced by an instance of <see cref="EventsType"/> when that is set.</summary>
    public TesseraEvents Events { get; set; } = new();

    /// <summary>A <see cref="TesseraEvents"/> subclass resolved from the services (register it), as <c>JwtBearerOptions.EventsType</c>.</summary>
    public Type? EventsType { get; set; }
}
