using Microsoft.EntityFrameworkCore;
using Tessera.Core.Revocation;
using Tessera.EntityFrameworkCore.Revocation;
using Tessera.Server.Data;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Revocation;

/// <summary>The ledger contract on the EF store, on the run's database (SQLite, or PostgreSQL).</summary>
public sealed class EfRefreshTokenLedgerContractTests : Tessera.Tests.Contracts.RefreshTokenLedgerContract, IAsyncLifetime
{
    private readonly TesseraServer _server = new();
    private readonly List<ServerDbContext> _contexts = new();
    private long _userId;

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync(); // migrates the database
        var user = await _server.RegisterAsync();
        await using var db = _server.CreateDbContext();
        _userId = await db.AppUsers.Where(u => u.Username == user.Username).Select(u => u.Id).SingleAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var db in _contexts)
            await db.DisposeAsync();
        await _server.DisposeAsync();
    }

    protected override long UserId => _userId;

    protected override IRefreshTokenLedger CreateLedger()
    {
        var db = _server.CreateDbContext();
        _contexts.Add(db);
        return new EfRefreshTokenLedger(db, TimeProvider.System);
    }

    protected override async Task<bool> IsRevokedAsync(LoginId login)
    {
        await using var db = _server.CreateDbContext();
        var id = login.ToString();
        return await db.RevokedLogins.AnyAsync(l => l.LoginId == id);
    }
}
