using Microsoft.EntityFrameworkCore;

namespace Tessera.EntityFrameworkCore.Modeling;

/// <summary>
/// SQL functions a query names itself, so that EF runs them in the database instead of evaluating
/// them in .NET beforehand (as it does <c>email.ToLowerInvariant()</c> on a parameter).
/// </summary>
internal static class SqlFunctions
{
    /// <summary>
    /// SQL's <c>lower()</c>. On a parameter as on a column, so that both are folded by the same rules
    /// (ASCII only on SQLite, the database's locale on PostgreSQL) and a comparison of the two can
    /// use the index on <c>lower(email)</c> (<see cref="Users.EmailLookupIndex"/>).
    /// </summary>
    public static string Lower(string value) => throw new InvalidOperationException("SqlFunctions.Lower runs only inside a database query.");

    internal static void Map(ModelBuilder modelBuilder)
        => modelBuilder.HasDbFunction(typeof(SqlFunctions).GetMethod(nameof(Lower))!).HasName("lower").IsBuiltIn();
}
