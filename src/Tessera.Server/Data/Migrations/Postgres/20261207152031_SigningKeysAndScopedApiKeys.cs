using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Server.Data.Migrations.Postgres
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
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "signing_keys",
                columns: table => new
                {
                    key_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    algorithm = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    generation = table.Column<long>(type: "bigint", nullable: false),
                    public_jwk = table.Column<string>(type: "text", nullable: false),
                    protected_private_key = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    signs_from = table.Column<long>(type: "bigint", nullable: false),
                    expires_at = table.Column<long>(type: "bigint", nullable: true),
                    retired_at = table.Column<long>(type: "bigint", nullable: true)
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
