using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CredentialSeal : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "credential_seal_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_credential_seal_keys", x => x.id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "credential_seal_keys");
        }
    }
}
