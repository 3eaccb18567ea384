using Microsoft.EntityFrameworkCore;
using Tessera.Core.Revocation;
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

        base.OnModelCreating(modelBuilder);
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
