using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Tessera.Core.ApiKeys;
using Tessera.Core.Credentials;
using Tessera.Core.OpaqueTokens;
using Tessera.Core.Revocation;
using Tessera.Core.Sessions;
using Tessera.Core.Users;
using Tessera.Data.Modeling;

namespace Tessera.Data;

/// <summary>
/// Tessera's tables. Like ASP.NET Core Identity's <c>IdentityDbContext</c>, an application derives
/// from it to add its own entities and owns the migrations of the whole model.
/// </summary>
public abstract class TesseraDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<BlacklistedToken> BlacklistedTokens => Set<BlacklistedToken>();

    public DbSet<ServerSession> Sessions => Set<ServerSession>();

    public DbSet<OpaqueToken> OpaqueTokens => Set<OpaqueToken>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<RevokedLogin> RevokedLogins => Set<RevokedLogin>();

    public DbSet<RevocationEventRecord> RevocationEvents => Set<RevocationEventRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.Property(u => u.Username).HasMaxLength(User.UsernameMaxLength);
            user.HasIndex(u => u.Username).IsUnique();
            user.Property(u => u.Email).HasMaxLength(User.EmailMaxLength);
            user.Property(u => u.PasswordHash).HasMaxLength(User.PasswordHashMaxLength).HasColumnName("password");
            user.Property(u => u.FirstName).HasMaxLength(User.NameMaxLength);
            user.Property(u => u.LastName).HasMaxLength(User.NameMaxLength);
            user.Property(u => u.PhoneNumber).HasMaxLength(User.PhoneNumberMaxLength);
        });

        modelBuilder.Entity<BlacklistedToken>(token =>
        {
            token.ToTable(TokenBlacklistTable);
            token.HasKey(t => t.Jti);
            token.Property(t => t.Jti).HasMaxLength(BlacklistedToken.JtiMaxLength);
            // The sweeper deletes by expiry.
            token.HasIndex(t => t.ExpiresAt);
        });

        modelBuilder.Entity<ServerSession>(session =>
        {
            session.ToTable("sessions");
            session.HasKey(s => s.KeyHash);
            session.Property(s => s.KeyHash).HasMaxLength(OpaqueSecret.HashLength);
            session.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
            session.HasIndex(s => s.ExpiresAt);
        });

        modelBuilder.Entity<OpaqueToken>(token =>
        {
            token.ToTable("auth_tokens");
            token.HasKey(t => t.KeyHash);
            token.Property(t => t.KeyHash).HasMaxLength(OpaqueSecret.HashLength);
            token.Property(t => t.Prefix).HasMaxLength(OpaqueToken.PrefixLength);
            token.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
            token.HasIndex(t => new { t.UserId, t.Prefix });
            token.HasIndex(t => t.ExpiresAt);
        });

        modelBuilder.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.Prefix);
            key.Property(k => k.Prefix).HasMaxLength(ApiKey.PrefixLength);
            key.Property(k => k.KeyHash).HasMaxLength(OpaqueSecret.HashLength);
            key.HasIndex(k => k.KeyHash).IsUnique();
            key.Property(k => k.Name).HasMaxLength(ApiKey.NameMaxLength);
            key.HasOne<User>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
            key.HasIndex(k => k.UserId);
            key.HasIndex(k => k.ExpiresAt);
        });

        modelBuilder.Entity<RevokedLogin>(login =>
        {
            login.ToTable("revoked_logins");
            login.HasKey(l => l.LoginId);
            login.Property(l => l.LoginId).HasMaxLength(Core.Revocation.LoginId.Length);
            login.HasIndex(l => l.ExpiresAt);
        });

        modelBuilder.Entity<RevocationEventRecord>(e =>
        {
            e.ToTable("revocation_events");
            e.HasKey(r => r.Id);
            e.Property(r => r.LoginId).HasMaxLength(Core.Revocation.LoginId.Length);
            e.Property(r => r.Kind).HasConversion<int>();
            e.HasIndex(r => r.CreatedAt);
        });

        base.OnModelCreating(modelBuilder);
    }

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        // A lost race on a unique key (two rotations of one token, two registrations of one name) is
        // an answer, not an error: the stores decide it (TryInsertAsync). A real fault still reaches
        // the web layer's error middleware, which logs it and answers 503.
        optionsBuilder.ConfigureWarnings(w => w.Log(
            (CoreEventId.SaveChangesFailed, LogLevel.Debug),
            (RelationalEventId.CommandError, LogLevel.Debug)));
        base.OnConfiguring(optionsBuilder);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every DateTime is UTC; SQLite forgets the kind on the way back, PostgreSQL insists on it.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Conventions.Add(_ => new SnakeCaseColumnConvention());
    }

    internal const string TokenBlacklistTable = "token_blacklist";
}
