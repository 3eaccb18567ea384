using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Server.Data.Migrations.Postgres
{
    /// <summary>Password reset and verification by address find accounts through an index, not a scan of users.</summary>
    public partial class EmailLookupIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => global::Tessera.EntityFrameworkCore.Users.EmailLookupIndex.Create(migrationBuilder);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => global::Tessera.EntityFrameworkCore.Users.EmailLookupIndex.Drop(migrationBuilder);
    }
}
