using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.AspNetCore.Hosting;

/// <summary>
/// The sections under <c>Tessera</c> that the app's registrations read, with the options class each
/// is bound to, so that a key no registration reads (<c>Tessera:Jwt:AccesTokenLifetime</c>) can be
/// named at start instead of silently ignored. Every Tessera registration adds its own section; a
/// host or an app that reads a section of its own under <c>Tessera</c> declares it with
/// <see cref="TesseraSettingsServiceCollectionExtensions.AddKnownTesseraSettings"/>.
/// </summary>
public sealed class TesseraSettings
{
    public const string RootSectionName = "Tessera";

    private readonly Dictionary<string, Type?> _sections = new(StringComparer.OrdinalIgnoreCase);

    internal void Add(string sectionName, Type? optionsType)
    {
        // A section declared without a type accepts every key below it; one with a type, its members.
        if (!_sections.TryGetValue(sectionName, out var known) || known is not null)
            _sections[sectionName] = optionsType;
    }

    /// <summary>Whether a registration reads <paramref name="sectionName"/> (Redis: whether it was added).</summary>
    public bool Has(string sectionName) => _sections.ContainsKey(sectionName);

    /// <summary>The keys with a value under <c>Tessera</c> that no registration reads, in order.</summary>
    public IEnumerable<string> UnknownKeys(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var (key, value) in configuration.GetSection(RootSectionName).AsEnumerable().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (value is null)
                continue; // a section, not a setting
            if (!IsKnown(key))
                yield return key;
        }
    }

    private bool IsKnown(string key)
    {
        // The longest declared section that holds the key, then the key's path through its class.
        string? section = null;
        foreach (var name in _sections.Keys)
            if (key.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase) && (section is null || name.Length > section.Length))
                section = name;
        if (section is null)
            return false;
        var type = _sections[section];
        return type is null || IsMember(type, key[(section.Length + 1)..].Split(':'));
    }

    private static bool IsMember(Type type, ReadOnlySpan<string> path)
    {
        while (true)
        {
            if (path.IsEmpty)
                return true;
            var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || property.GetIndexParameters().Length > 0)
                return false;
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            path = path[1..];
            if (IsScalar(propertyType))
                return path.IsEmpty;
            if (typeof(IEnumerable).IsAssignableFrom(propertyType))
                return true; // a list's indices or a dictionary's keys: the binder takes any
            type = propertyType;
        }
    }

    private static bool IsScalar(Type type)
        => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Uri) || type == typeof(Guid);
}

public static class TesseraSettingsServiceCollectionExtensions
{
    /// <summary>
    /// Declares a section under <c>Tessera</c> that the app reads itself (with the class it binds, or
    /// null for any key below it), so the start does not warn about its keys as unknown.
    /// </summary>
    public static IServiceCollection AddKnownTesseraSettings(this IServiceCollection services, string sectionName, Type? optionsType = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(sectionName);
        services.TesseraSettings().Add(sectionName, optionsType);
        return services;
    }

    /// <summary>The registry of this service collection, made on first use.</summary>
    internal static TesseraSettings TesseraSettings(this IServiceCollection services)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(TesseraSettings))?.ImplementationInstance is TesseraSettings existing)
            return existing;
        var settings = new TesseraSettings();
        services.AddSingleton(settings);
        return settings;
    }
}
