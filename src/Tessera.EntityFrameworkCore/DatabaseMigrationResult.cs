namespace Tessera.EntityFrameworkCore;

/// <summary>What <see cref="DatabaseMigrator.MigrateAsync"/> changed.</summary>
/// <param name="AppliedMigrations">The ids of the migrations applied, in order; none when the schema was current.</param>
/// <param name="NormalizedUsernames">How many usernames the data step rewrote to NFKC.</param>
public sealed record DatabaseMigrationResult(IReadOnlyList<string> AppliedMigrations, int NormalizedUsernames)
{
    /// <summary>Nothing was applied: the database was current.</summary>
    public bool WasCurrent => AppliedMigrations.Count == 0 && NormalizedUsernames == 0;
}
