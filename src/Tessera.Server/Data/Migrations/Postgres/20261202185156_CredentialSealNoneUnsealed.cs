using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CredentialSealNoneUnsealed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "none_unsealed",
                table: "credential_seal_keys",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "none_unsealed",
                table: "credential_seal_keys");
        }
    }
}
