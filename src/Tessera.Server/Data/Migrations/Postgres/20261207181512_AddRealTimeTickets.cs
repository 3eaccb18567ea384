using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddRealTimeTickets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "realtime_tickets",
                columns: table => new
                {
                    key_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    user_id = table.Column<long>(type: "bigint", nullable: false),
                    scheme = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    login_id = table.Column<string>(type: "character varying(28)", maxLength: 28, nullable: true),
                    login_time_ms = table.Column<long>(type: "bigint", nullable: true),
                    epoch = table.Column<long>(type: "bigint", nullable: true),
                    credential_expires_at = table.Column<long>(type: "bigint", nullable: true),
                    signing_key_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    expires_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_realtime_tickets", x => x.key_hash);
                });

            migrationBuilder.CreateIndex(
                name: "IX_realtime_tickets_expires_at",
                table: "realtime_tickets",
                column: "expires_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "realtime_tickets");
        }
    }
}
