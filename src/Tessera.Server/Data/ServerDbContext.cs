using Microsoft.EntityFrameworkCore;
using Tessera.Core.Users;
using Tessera.EntityFrameworkCore;
using Tessera.Server.Samples;

namespace Tessera.Server.Data;

/// <summary>
/// Tessera's tables plus the sample resources. On SQLite this is the context (migrations in
/// Data/Migrations/Sqlite); on PostgreSQL its subclass <see cref="Postgres.PostgresServerDbContext"/> is.
/// </summary>
public class ServerDbContext(DbContextOptions options) : TesseraDbContext<ServerUser>(options)
{
    public DbSet<Article> Articles => Set<Article>();

    public DbSet<TaskItem> Tasks => Set<TaskItem>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ServerUser>().Property(u => u.PhoneNumber).HasMaxLength(ServerUser.PhoneNumberMaxLength);
        modelBuilder.Entity<Article>(article =>
        {
            article.ToTable("articles");
            article.Property(a => a.Title).HasMaxLength(Article.TitleMaxLength);
            article.HasOne<ServerUser>().WithMany().HasForeignKey(a => a.AuthorId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<TaskItem>(task =>
        {
            task.ToTable("tasks");
            task.Property(t => t.Title).HasMaxLength(TaskItem.TitleMaxLength);
            task.HasOne<ServerUser>().WithMany().HasForeignKey(t => t.OwnerId).OnDelete(DeleteBehavior.Cascade);
            task.HasIndex(t => t.OwnerId);
        });
    }
}
