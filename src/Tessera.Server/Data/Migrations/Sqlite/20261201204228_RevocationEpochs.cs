using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RevocationEpochs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "blacklisted_at",
                table: "token_blacklist",
                newName: "blacklisted_at_ms");
            // Seconds become milliseconds: the reuse grace is measured from the rotation to the millisecond.
            migrationBuilder.Sql("UPDATE token_blacklist SET blacklisted_at_ms = blacklisted_at_ms * 1000;");

            migrationBuilder.AddColumn<long>(
                name: "revocation_epoch",
                table: "users",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "epoch",
                table: "sessions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "epoch",
                table: "auth_tokens",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "revocation_epoch",
                table: "users");

            migrationBuilder.DropColumn(
                name: "epoch",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "epoch",
                table: "auth_tokens");

            migrationBuilder.Sql("UPDATE token_blacklist SET blacklisted_at_ms = blacklisted_at_ms / 1000;");
            migrationBuilder.RenameColumn(
                name: "blacklisted_at_ms",
                table: "token_blacklist",
                newName: "blacklisted_at");
        }
    }
}
