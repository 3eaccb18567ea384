using Microsoft.EntityFrameworkCore;
using Tessera.Core.ApiKeys;
using Tessera.Core.OpaqueTokens;
using Tessera.Core.Revocation;
using Tessera.Core.Sessions;
using Tessera.Core.Users;
using Tessera.EntityFrameworkCore.Revocation;
using Tessera.Server.Data;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Tests.Contracts;

namespace Tessera.Server.Tests.Revocation;

/// <summary>The user-writes contract on the EF store, on the run's database (SQLite, or PostgreSQL).</summary>
public sealed class EfUserChangeStoreContractTests : UserChangeStoreContract, IAsyncLifetime
{
    private readonly TesseraServer _server = new();
    private readonly List<ServerDbContext> _contexts = new();

    public Task InitializeAsync() => _server.InitializeAsync(); // migrates the database

    public async Task DisposeAsync()
    {
        foreach (var db in _contexts)
            await db.DisposeAsync();
        await _server.DisposeAsync();
    }

    private ServerDbContext Context()
    {
        ServerDbContext db;
        lock (_contexts)
            _contexts.Add(db = _server.CreateDbContext());
        return db;
    }

    protected override IUserChangeStore CreateStore() => new EfUserChangeStore(Context(), TimeProvider.System);

    protected override IAdmissionChangeFeedStore CreateFeed() => new EfAdmissionChangeFeedStore(Context());

    protected override User NewUser(string username, string email) => new ServerUser { Username = username, Email = email, DateJoined = DateTime.UtcNow };

    protected override async Task AddCredentialAsync(StoredCredentialKind kind, long userId, string keyHash, long createdAt)
    {
        await using var db = _server.CreateDbContext();
        var prefix = keyHash[..8];
        db.Add<object>(kind switch
        {
            StoredCredentialKind.Session => new ServerSession { KeyHash = keyHash, UserId = userId, CreatedAt = createdAt, ExpiresAt = createdAt + 3600 },
            StoredCredentialKind.OpaqueToken => new OpaqueToken { KeyHash = keyHash, Prefix = prefix, UserId = userId, CreatedAt = createdAt },
            _ => new ApiKey { KeyHash = keyHash, Prefix = prefix, UserId = userId, CreatedAt = createdAt, Name = "contract" },
        });
        await db.SaveChangesAsync();
    }

    protected override async Task<IReadOnlyList<string>> CredentialsAsync(StoredCredentialKind kind, long userId)
    {
        await using var db = _server.CreateDbContext();
        return kind switch
        {
            StoredCredentialKind.Session => await db.Sessions.Where(s => s.UserId == userId).Select(s => s.KeyHash).ToListAsync(),
            StoredCredentialKind.OpaqueToken => await db.OpaqueTokens.Where(t => t.UserId == userId).Select(t => t.KeyHash).ToListAsync(),
            _ => await db.ApiKeys.Where(k => k.UserId == userId).Select(k => k.KeyHash).ToListAsync(),
        };
    }

    protected override async Task<string?> PasswordHashAsync(long userId)
    {
        await using var db = _server.CreateDbContext();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.PasswordHash).SingleOrDefaultAsync();
    }
}
