using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notes.Migrations
{
    /// <summary>
    /// The index password reset and verification by address search (EF cannot model an expression
    /// index, so an app's migration adds it, as here).
    /// </summary>
    public partial class EmailLookupIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => Tessera.EntityFrameworkCore.Users.EmailLookupIndex.Create(migrationBuilder);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => Tessera.EntityFrameworkCore.Users.EmailLookupIndex.Drop(migrationBuilder);
    }
}
