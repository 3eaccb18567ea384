using Tessera.Core.SigningKeys;
using Tessera.EntityFrameworkCore.SigningKeys;
using Tessera.Server.Data;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.SigningKeys;

/// <summary>The key ring store contract on the EF store, on the run's database (SQLite, or PostgreSQL).</summary>
public sealed class EfSigningKeyStoreContractTests : Tessera.Tests.Contracts.SigningKeyStoreContract, IAsyncLifetime
{
    private readonly TesseraServer _server = new(); // HS256: its ring is not in the table
    private readonly List<ServerDbContext> _contexts = new();

    public Task InitializeAsync() => _server.InitializeAsync(); // migrates the database

    public async Task DisposeAsync()
    {
        foreach (var db in _contexts)
            await db.DisposeAsync();
        await _server.DisposeAsync();
    }

    protected override ISigningKeyStore CreateStore()
    {
        var db = _server.CreateDbContext();
        lock (_contexts)
            _contexts.Add(db);
        return new EfSigningKeyStore(db, TimeProvider.System);
    }
}
