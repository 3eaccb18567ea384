namespace Tessera.EntityFrameworkCore;

/// <summary>The database cannot be brought to the current schema and rules as it is; the message says what to do.</summary>
public sealed class DatabaseMigrationException(string message) : Exception(message);
