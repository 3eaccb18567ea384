using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.ExternalLogin;
using Tessera.Core.Passwords;
using Tessera.Core.Revocation;
using Tessera.EntityFrameworkCore.ExternalLogin;
using Tessera.EntityFrameworkCore.Revocation;
using Tessera.Server.Data;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.ExternalLogin;

/// <summary>
/// The EF stores of external sign-in on the run's database (SQLite, or PostgreSQL): the unique keys
/// decide concurrent links, first sign-ins and token uses, on any instance; removals of one user's
/// identities are serialized so that an account never loses its last way in.
/// </summary>
public sealed class EfExternalLoginStoreTests : IAsyncLifetime
{
    private const string Issuer = "https://accounts.example.com";
    private const int Rounds = 5;

    private readonly TesseraServer _server = new();
    private readonly List<ServerDbContext> _contexts = new();

    public Task InitializeAsync() => _server.InitializeAsync(); // migrates the database

    public async Task DisposeAsync()
    {
        foreach (var db in _contexts)
            await db.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_linked_identity_is_found_by_its_exact_issuer_and_subject_and_listed_oldest_first()
    {
        var user = await NewUserAsync();
        var store = Identities();
        var first = Identity(user, "google", "sub-1", DateTime.UtcNow.AddMinutes(-1));
        Assert.True(await store.AddAsync(first));
        Assert.NotEqual(0, first.Id);
        Assert.True(await store.AddAsync(Identity(user, "apple", "sub-2", DateTime.UtcNow)));

        var found = await Identities().FindAsync(Issuer, "sub-1");
        Assert.NotNull(found);
        Assert.Equal((user, "google", "sub-1@example.com"), (found.UserId, found.Provider, found.Email));
        Assert.Null(await Identities().FindAsync(Issuer, "SUB-1")); // a subject is case-sensitive
        Assert.Null(await Identities().FindAsync(Issuer + "/", "sub-1"));
        Assert.Equal(["google", "apple"], (await Identities().ListAsync(user)).Select(i => i.Provider));
        Assert.Empty(await Identities().ListAsync(user + 1000));
    }

    [Fact]
    public async Task An_identity_linked_to_a_user_or_a_second_identity_of_one_provider_is_refused_and_nothing_written()
    {
        var (alice, bob) = (await NewUserAsync(), await NewUserAsync());
        Assert.True(await Identities().AddAsync(Identity(alice, "google", "alice")));

        Assert.False(await Identities().AddAsync(Identity(bob, "google", "alice")));     // Alice's account
        Assert.False(await Identities().AddAsync(Identity(alice, "google", "another"))); // Alice has a Google account
        Assert.Empty(await Identities().ListAsync(bob));
        Assert.Single(await Identities().ListAsync(alice));
        Assert.Null(await Identities().FindAsync(Issuer, "another"));
    }

    [Fact]
    public async Task Of_concurrent_links_of_one_provider_account_to_two_users_exactly_one_wins()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (alice, bob) = (await NewUserAsync(), await NewUserAsync());
            var subject = "race-" + Guid.NewGuid().ToString("N");
            var (a, b) = (Identities(), Identities());
            var results = await Together(
                () => a.AddAsync(Identity(alice, "google", subject)),
                () => b.AddAsync(Identity(bob, "google", subject)));

            Assert.Single(results, won => won);
            var linked = await Identities().FindAsync(Issuer, subject);
            Assert.NotNull(linked);
            Assert.Equal(results[0] ? alice : bob, linked.UserId);
        }
    }

    [Fact]
    public async Task Removal_asks_the_check_with_the_user_and_every_identity_and_removes_only_when_it_agrees()
    {
        var user = await NewUserAsync(usablePassword: false);
        await Identities().AddAsync(Identity(user, "google", "g-" + user));
        await Identities().AddAsync(Identity(user, "apple", "a-" + user));

        Assert.Equal(ExternalIdentityRemoval.NotLinked, await Identities().RemoveAsync(user, "microsoft", (_, _) => true));
        Assert.Equal(ExternalIdentityRemoval.NotLinked, await Identities().RemoveAsync(user + 1000, "google", (_, _) => true));
        Assert.Equal(ExternalIdentityRemoval.Refused, await Identities().RemoveAsync(user, "google", (_, _) => false));
        Assert.Equal(2, (await Identities().ListAsync(user)).Count);

        (bool Usable, int Count)? asked = null;
        Assert.Equal(ExternalIdentityRemoval.Removed, await Identities().RemoveAsync(user, "google", (u, ids) =>
        {
            asked = (u.HasUsablePassword, ids.Count);
            return true;
        }));
        Assert.Equal((false, 2), asked);
        Assert.Equal(["apple"], (await Identities().ListAsync(user)).Select(i => i.Provider));
        Assert.Null(await Identities().FindAsync(Issuer, "g-" + user));
    }

    [Fact]
    public async Task Of_concurrent_removals_of_a_passwordless_accounts_last_two_identities_exactly_one_succeeds()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var user = await NewUserAsync(usablePassword: false);
            await Identities().AddAsync(Identity(user, "google", "g-" + user));
            await Identities().AddAsync(Identity(user, "apple", "a-" + user));
            // ExternalAccounts' rule, slowed down: without the per-user serialization both removals
            // would read two identities before either deletes.
            static bool MayRemove(Tessera.Core.Users.User u, IReadOnlyList<ExternalIdentity> ids)
            {
                Thread.Sleep(100);
                return u.HasUsablePassword || ids.Count > 1;
            }
            var (a, b) = (Identities(), Identities());

            var results = await Together(
                () => a.RemoveAsync(user, "google", MayRemove),
                () => b.RemoveAsync(user, "apple", MayRemove));

            Assert.Single(results, r => r == ExternalIdentityRemoval.Removed);
            Assert.Single(results, r => r == ExternalIdentityRemoval.Refused);
            Assert.Single(await Identities().ListAsync(user));
        }
    }

    [Fact]
    public async Task Deleting_a_user_removes_their_identities()
    {
        var user = await NewUserAsync();
        await Identities().AddAsync(Identity(user, "google", "deleted-" + user));

        await using (var write = await new EfUserChangeStore(Context(), TimeProvider.System).BeginAsync())
        {
            await write.DeleteUserAsync(user);
            await write.CommitAsync();
        }

        Assert.Null(await Identities().FindAsync(Issuer, "deleted-" + user));
        Assert.Empty(await Identities().ListAsync(user));
    }

    [Fact]
    public async Task A_first_sign_in_creates_the_user_and_its_identity_and_a_taken_username_writes_neither()
    {
        var name = "ext" + Guid.NewGuid().ToString("N")[..10];
        var subject = "first-" + name;
        var user = NewServerUser(name);

        Assert.Equal(ExternalUserCreation.Created, await CreateUserAsync(user, Identity(0, "google", subject)));
        var linked = await Identities().FindAsync(Issuer, subject);
        Assert.NotNull(linked);
        Assert.Equal(user.Id, linked.UserId);

        var other = "other-" + name;
        Assert.Equal(ExternalUserCreation.UsernameTaken, await CreateUserAsync(NewServerUser(name), Identity(0, "google", other)));
        Assert.Null(await Identities().FindAsync(Issuer, other));
        await using var db = _server.CreateDbContext();
        Assert.Equal(1, await db.AppUsers.CountAsync(u => u.Username == name));
    }

    [Fact]
    public async Task Of_concurrent_first_sign_ins_of_one_provider_account_exactly_one_creates_a_user()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var prefix = "first" + Guid.NewGuid().ToString("N")[..10];
            var subject = "account-" + prefix;

            var results = await Together(
                () => CreateUserAsync(NewServerUser(prefix + "a"), Identity(0, "google", subject)),
                () => CreateUserAsync(NewServerUser(prefix + "b"), Identity(0, "google", subject)));

            Assert.Single(results, r => r == ExternalUserCreation.Created);
            Assert.Single(results, r => r == ExternalUserCreation.IdentityTaken);
            await using var db = _server.CreateDbContext();
            var created = await db.AppUsers.Where(u => u.Username.StartsWith(prefix)).ToListAsync();
            var only = Assert.Single(created); // the loser's user was rolled back with its identity
            Assert.Equal(only.Id, (await Identities().FindAsync(Issuer, subject))!.UserId);
        }
    }

    [Fact]
    public async Task An_id_token_is_used_once()
    {
        var digest = Digest();
        var expires = DateTimeOffset.UtcNow.AddMinutes(5);

        Assert.True(await UsedTokens().TryUseAsync(digest, expires));
        Assert.False(await UsedTokens().TryUseAsync(digest, expires));
        Assert.False(await UsedTokens().TryUseAsync(digest, expires.AddHours(1)));
        Assert.True(await UsedTokens().TryUseAsync(Digest(), expires));
    }

    [Fact]
    public async Task Of_concurrent_uses_of_one_id_token_exactly_one_is_first()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var digest = Digest();
            var stores = Enumerable.Range(0, 4).Select(_ => UsedTokens()).ToList();
            var results = await Together(stores.Select(s => (Func<Task<bool>>)(() => s.TryUseAsync(digest, DateTimeOffset.UtcNow.AddMinutes(5)))).ToArray());
            Assert.Single(results, first => first);
        }
    }

    [Fact]
    public async Task The_sweeper_removes_used_tokens_once_they_expire_and_keeps_the_others()
    {
        var now = DateTimeOffset.UtcNow;
        var (expired, due, live) = (Digest(), Digest(), Digest());
        await UsedTokens().TryUseAsync(expired, now.AddMinutes(-10));
        await UsedTokens().TryUseAsync(due, now);
        await UsedTokens().TryUseAsync(live, now.AddMinutes(10));

        // Through the registration the sweeper uses: every IExpiringRecords of the app.
        await using var scope = _server.Services.CreateAsyncScope();
        var records = scope.ServiceProvider.GetServices<IExpiringRecords>().OfType<IUsedIdTokenStore>().Single();
        Assert.True(await records.RemoveExpiredAsync(now) >= 2);

        await using var db = _server.CreateDbContext();
        Assert.Equal([live], await db.UsedIdTokens.Where(t => t.Digest == expired || t.Digest == due || t.Digest == live).Select(t => t.Digest).ToListAsync());
        Assert.False(await UsedTokens().TryUseAsync(live, now.AddMinutes(10)));
    }

    [Fact]
    public async Task The_stores_are_registered_with_the_entity_framework_stores()
    {
        await using var scope = _server.Services.CreateAsyncScope();
        Assert.IsType<EfExternalIdentityStore>(scope.ServiceProvider.GetRequiredService<IExternalIdentityStore>());
        Assert.IsType<EfUsedIdTokenStore>(scope.ServiceProvider.GetRequiredService<IUsedIdTokenStore>());
    }

    private EfExternalIdentityStore Identities() => new(Context());

    private EfUsedIdTokenStore UsedTokens() => new(Context());

    private ServerDbContext Context()
    {
        ServerDbContext db;
        lock (_contexts)
            _contexts.Add(db = _server.CreateDbContext());
        return db;
    }

    private async Task<ExternalUserCreation> CreateUserAsync(ServerUser user, ExternalIdentity identity)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AdmissionChanges>().CreateUserAsync(user, identity);
    }

    private async Task<long> NewUserAsync(bool usablePassword = true)
    {
        var user = NewServerUser("ext" + Guid.NewGuid().ToString("N")[..10]);
        if (usablePassword)
            user.PasswordHash = "pbkdf2_sha256$1000$salt$" + Convert.ToBase64String(new byte[32]);
        await using var db = _server.CreateDbContext();
        db.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    private static ServerUser NewServerUser(string username) => new()
    {
        Username = username,
        Email = username + "@example.com",
        PasswordHash = DjangoPbkdf2Hasher.CreateUnusablePassword(),
        DateJoined = DateTime.UtcNow,
    };

    private static ExternalIdentity Identity(long userId, string provider, string subject, DateTime? linkedAt = null) => new()
    {
        UserId = userId,
        Provider = provider,
        Issuer = Issuer,
        Subject = subject,
        Email = subject + "@example.com",
        LinkedAt = linkedAt ?? DateTime.UtcNow,
    };

    private static string Digest() => Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray())
        .TrimEnd('=').Replace('+', '-').Replace('/', '_').PadRight(UsedIdToken.DigestLength, 'A');

    /// <summary>Runs the operations at once: each starts on its own thread when all are ready.</summary>
    private static async Task<T[]> Together<T>(params Func<Task<T>>[] operations)
    {
        using var ready = new Barrier(operations.Length);
        return await Task.WhenAll(operations.Select(operation => Task.Run(async () =>
        {
            ready.SignalAndWait();
            return await operation();
        })));
    }
}
