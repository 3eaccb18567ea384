using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notes.Migrations
{
    /// <inheritdoc />
    public partial class SigningKeysAndScopedApiKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "scopes",
                table: "api_keys",
                type: "TEXT",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "signing_keys",
                columns: table => new
                {
                    key_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    algorithm = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    generation = table.Column<long>(type: "INTEGER", nullable: false),
                    public_jwk = table.Column<string>(type: "TEXT", nullable: false),
                    protected_private_key = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    signs_from = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    retired_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_signing_keys", x => x.key_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_signing_keys_generation",
                table: "signing_keys",
                column: "generation",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "signing_keys");

            migrationBuilder.DropColumn(
                name: "scopes",
                table: "api_keys");
        }
    }
}
