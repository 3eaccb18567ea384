using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Tessera.Core.ApiKeys;
using Tessera.Core.Logins;
using Tessera.Core.Credentials;
using Tessera.Core.ExternalLogin;
using Tessera.Core.OpaqueTokens;
using Tessera.Core.RealTime;
using Tessera.Core.Revocation;
using Tessera.Core.Sessions;
using Tessera.Core.SigningKeys;
using Tessera.Core.Users;
using Tessera.EntityFrameworkCore.Modeling;

namespace Tessera.EntityFrameworkCore;

/// <summary>
/// Tessera's tables over the app's user type: <c>AppDbContext : TesseraDbContext&lt;AppUser&gt;</c>
/// with <c>AppUser : User</c> (its own columns in the <c>users</c> table), or
/// <c>TesseraDbContext&lt;User&gt;</c> for Django's fields alone. Like ASP.NET Core Identity's
/// <c>IdentityDbContext&lt;TUser&gt;</c>, the app derives from it to add its own entities and owns
/// the migrations of the whole model.
/// </summary>
public abstract class TesseraDbContext<TUser>(DbContextOptions options) : TesseraDbContext(options)
    where TUser : User, new()
{
    public override IQueryable<User> Users => Set<TUser>();

    /// <summary>The app's users, with its own fields.</summary>
    public DbSet<TUser> AppUsers => Set<TUser>();

    public override Type UserType => typeof(TUser);

    public override User NewUser() => new TUser();
}

/// <summary>
/// What the stores see of <see cref="TesseraDbContext{TUser}"/>: every table, and the users as
/// <see cref="User"/> whatever the app's type (EF Core queries and updates them as that type).
/// </summary>
public abstract class TesseraDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>The users, of the app's type, seen as <see cref="User"/>.</summary>
    public abstract IQueryable<User> Users { get; }

    /// <summary>The app's user type, mapped to the <c>users</c> table.</summary>
    public abstract Type UserType { get; }

    /// <summary>A new, unsaved user of the app's type.</summary>
    public abstract User NewUser();

    public DbSet<BlacklistedToken> BlacklistedTokens => Set<BlacklistedToken>();

    public DbSet<ServerSession> Sessions => Set<ServerSession>();

    public DbSet<OpaqueToken> OpaqueTokens => Set<OpaqueToken>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<RevokedLogin> RevokedLogins => Set<RevokedLogin>();

    public DbSet<RevocationEventRecord> RevocationEvents => Set<RevocationEventRecord>();

    public DbSet<CredentialSealKey> CredentialSealKeys => Set<CredentialSealKey>();

    public DbSet<StoredSigningKey> SigningKeys => Set<StoredSigningKey>();

    public DbSet<RealTimeTicket> RealTimeTickets => Set<RealTimeTicket>();

    public DbSet<ExternalIdentity> ExternalIdentities => Set<ExternalIdentity>();

    public DbSet<LoginRecord> Logins => Set<LoginRecord>();

    public DbSet<UsedIdToken> UsedIdTokens => Set<UsedIdToken>();

    public DbSet<Core.Audit.AuditEvent> AuditEvents => Set<Core.Audit.AuditEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity(UserType, user =>
        {
            user.ToTable("users");
            user.HasKey(nameof(User.Id));
            user.Property(nameof(User.Username)).HasMaxLength(User.UsernameMaxLength);
            user.HasIndex(nameof(User.Username)).IsUnique();
            user.Property(nameof(User.Email)).HasMaxLength(User.EmailMaxLength);
            user.Property(nameof(User.PasswordHash)).HasMaxLength(User.PasswordHashMaxLength).HasColumnName("password");
            user.Property(nameof(User.FirstName)).HasMaxLength(User.NameMaxLength);
            user.Property(nameof(User.LastName)).HasMaxLength(User.NameMaxLength);
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
            session.HasOne(UserType).WithMany().HasForeignKey(nameof(ServerSession.UserId)).OnDelete(DeleteBehavior.Cascade);
            session.HasIndex(s => s.ExpiresAt);
        });

        modelBuilder.Entity<OpaqueToken>(token =>
        {
            token.ToTable("auth_tokens");
            token.HasKey(t => t.KeyHash);
            token.Property(t => t.KeyHash).HasMaxLength(OpaqueSecret.HashLength);
            token.Property(t => t.Prefix).HasMaxLength(OpaqueToken.PrefixLength);
            token.HasOne(UserType).WithMany().HasForeignKey(nameof(OpaqueToken.UserId)).OnDelete(DeleteBehavior.Cascade);
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
            key.Property(k => k.Scopes).HasMaxLength(ApiKey.ScopesMaxLength);
            key.HasOne(UserType).WithMany().HasForeignKey(nameof(ApiKey.UserId)).OnDelete(DeleteBehavior.Cascade);
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

        modelBuilder.Entity<CredentialSealKey>(key =>
        {
            key.ToTable("credential_seal_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).ValueGeneratedNever();
            key.Property(k => k.Key).HasMaxLength(2 * CredentialSeal.KeySize);
        });

        modelBuilder.Entity<StoredSigningKey>(key =>
        {
            key.ToTable("signing_keys");
            key.HasKey(k => k.KeyId);
            key.Property(k => k.KeyId).HasMaxLength(StoredSigningKey.KeyIdMaxLength);
            key.Property(k => k.Algorithm).HasMaxLength(StoredSigningKey.AlgorithmMaxLength);
            key.HasIndex(k => k.Generation).IsUnique();
        });

        modelBuilder.Entity<RealTimeTicket>(ticket =>
        {
            ticket.ToTable("realtime_tickets");
            ticket.HasKey(t => t.KeyHash);
            ticket.Property(t => t.KeyHash).HasMaxLength(OpaqueSecret.HashLength);
            ticket.Property(t => t.Scheme).HasMaxLength(RealTimeTicket.SchemeMaxLength);
            ticket.Property(t => t.LoginId).HasMaxLength(Core.Revocation.LoginId.Length);
            ticket.Property(t => t.SigningKeyId).HasMaxLength(RealTimeTicket.SigningKeyIdMaxLength);
            ticket.Property(t => t.ExpiresAtMs).HasColumnName("expires_at");
            ticket.Property(t => t.CredentialExpiresAtMs).HasColumnName("credential_expires_at");
            ticket.HasIndex(t => t.ExpiresAtMs);
        });

        modelBuilder.Entity<ExternalIdentity>(identity =>
        {
            identity.ToTable("external_identities");
            identity.HasKey(i => i.Id);
            identity.Property(i => i.Provider).HasMaxLength(ExternalIdentity.ProviderMaxLength);
            identity.Property(i => i.Issuer).HasMaxLength(ExternalIdentity.IssuerMaxLength);
            identity.Property(i => i.Subject).HasMaxLength(ExternalIdentity.SubjectMaxLength);
            identity.Property(i => i.Email).HasMaxLength(User.EmailMaxLength);
            // The two rules of linking, decided by the database so that concurrent links on any
            // instance cannot both win: a provider account belongs to one user, and a user has one
            // account of each provider.
            identity.HasIndex(i => new { i.Issuer, i.Subject }).IsUnique();
            identity.HasIndex(i => new { i.UserId, i.Provider }).IsUnique();
            identity.HasOne(UserType).WithMany().HasForeignKey(nameof(ExternalIdentity.UserId)).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<UsedIdToken>(token =>
        {
            token.ToTable("used_id_tokens");
            token.HasKey(t => t.Digest);
            token.Property(t => t.Digest).HasMaxLength(UsedIdToken.DigestLength);
            token.HasIndex(t => t.ExpiresAt);
        });

        modelBuilder.Entity<LoginRecord>(login =>
        {
            login.ToTable("logins");
            login.HasKey(l => l.LoginId);
            login.Property(l => l.LoginId).HasMaxLength(Core.Revocation.LoginId.Length);
            login.Property(l => l.Kind).HasMaxLength(LoginRecord.KindMaxLength);
            login.Property(l => l.Ip).HasMaxLength(LoginRecord.IpMaxLength);
            login.Property(l => l.UserAgent).HasMaxLength(LoginRecord.UserAgentMaxLength);
            login.Property(l => l.Credential).HasMaxLength(LoginRecord.CredentialMaxLength);
            login.HasOne(UserType).WithMany().HasForeignKey(nameof(LoginRecord.UserId)).OnDelete(DeleteBehavior.Cascade);
            login.HasIndex(l => l.UserId);
            login.HasIndex(l => l.ExpiresAt);
        });

        modelBuilder.Entity<Core.Audit.AuditEvent>(e =>
        {
            e.ToTable("audit_events");
            e.HasKey(a => a.Id);
            e.Property(a => a.Event).HasMaxLength(Core.Audit.AuditEvent.EventMaxLength);
            e.Property(a => a.Username).HasMaxLength(Core.Audit.AuditEvent.UsernameMaxLength);
            e.Property(a => a.LoginId).HasMaxLength(Core.Revocation.LoginId.Length);
            e.Property(a => a.Scheme).HasMaxLength(Core.Audit.AuditEvent.SchemeMaxLength);
            e.Property(a => a.Ip).HasMaxLength(Core.Audit.AuditEvent.IpMaxLength);
            e.Property(a => a.UserAgent).HasMaxLength(Core.Audit.AuditEvent.UserAgentMaxLength);
            e.Property(a => a.Details).HasMaxLength(Core.Audit.AuditEvent.DetailsMaxLength);
            // No foreign key to users: the trail outlives a deleted user. Pages go by id; the filters
            // by user (id, or the name a failed sign-in typed) and by event, and the retention sweep by time.
            e.HasIndex(a => new { a.UserId, a.Id });
            e.HasIndex(a => new { a.Username, a.Id });
            e.HasIndex(a => new { a.Event, a.Id });
            e.HasIndex(a => a.Time);
        });

        SqlFunctions.Map(modelBuilder);
        base.OnModelCreating(modelBuilder);
    }

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        // A lost race on a unique key (two rotations of one token, two registrations of one name) is
        // an answer, not an error: the stores decide it (TryInsertAsync). A real fault still reaches
        // the web layer's error middleware, which logs it once, as a warning, and answers 503; and
        // a database that cannot be reached is logged by whoever decides what to do about it (the
        // middleware, the revocation feed), not once more per query by EF.
        optionsBuilder.ConfigureWarnings(w => w.Log(
            (CoreEventId.SaveChangesFailed, LogLevel.Debug),
            (CoreEventId.QueryIterationFailed, LogLevel.Debug),
            (RelationalEventId.CommandError, LogLevel.Debug),
            (RelationalEventId.ConnectionError, LogLevel.Debug),
            (RelationalEventId.TransactionError, LogLevel.Debug),
            // The revocation feed reads every 0.5 s on every instance: at EF's Information its SQL
            // would fill an app's log (dotnet new web's defaults log it). Debug shows it on request.
            (RelationalEventId.CommandExecuted, LogLevel.Debug)));
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
