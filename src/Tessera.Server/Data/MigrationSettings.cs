using Microsoft.Extensions.Options;

namespace Tessera.Server.Data;

/// <summary>
/// Whether the verbs bring the database to the current schema at start (<c>Tessera:Storage:Migrate</c>,
/// the default) or wait for <c>tessera migrate</c> to have done it, run as a step of its own; and how
/// long they wait, for the schema or for another instance's migration (<c>Tessera:Storage:SchemaWaitTimeout</c>).
/// </summary>
public sealed record MigrationSettings(bool Migrate, TimeSpan SchemaWaitTimeout)
{
    public const string MigrateSetting = "Tessera:Storage:Migrate";
    public const string SchemaWaitTimeoutSetting = "Tessera:Storage:SchemaWaitTimeout";
    public static readonly TimeSpan DefaultSchemaWaitTimeout = TimeSpan.FromMinutes(5);

    /// <summary>A value that is not a bool or a time span is the binder's "Failed to convert" (one line, naming it).</summary>
    public static MigrationSettings Read(IConfiguration configuration)
    {
        var timeout = configuration.GetValue(SchemaWaitTimeoutSetting, DefaultSchemaWaitTimeout);
        if (timeout <= TimeSpan.Zero)
            throw new OptionsValidationException(SchemaWaitTimeoutSetting, typeof(MigrationSettings),
                [$"{SchemaWaitTimeoutSetting} must be positive (got {timeout})."]);
        return new MigrationSettings(configuration.GetValue(MigrateSetting, true), timeout);
    }
}
