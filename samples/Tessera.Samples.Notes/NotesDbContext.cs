using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Tessera.AspNetCore.Authorization;
using Tessera.EntityFrameworkCore;

namespace Notes;

/// <summary>The app's context: Tessera's tables over its own user, and its notes.</summary>
public sealed class NotesDbContext(DbContextOptions<NotesDbContext> options) : TesseraDbContext<NotesUser>(options)
{
    public DbSet<Note> Notes => Set<Note>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<NotesUser>().Property(u => u.Department).HasMaxLength(100);
        modelBuilder.Entity<Note>(note =>
        {
            note.ToTable("notes");
            note.Property(n => n.Text).HasMaxLength(1000);
            note.HasOne<NotesUser>().WithMany().HasForeignKey(n => n.OwnerId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

public sealed class Note : IOwnedResource
{
    public long Id { get; set; }
    public long OwnerId { get; set; }
    public string Text { get; set; } = "";
}

/// <summary>For <c>dotnet ef migrations add</c>.</summary>
public sealed class NotesDesignTimeFactory : IDesignTimeDbContextFactory<NotesDbContext>
{
    public NotesDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<NotesDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
