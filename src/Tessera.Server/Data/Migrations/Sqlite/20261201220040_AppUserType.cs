using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AppUserType : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The users are now the server's own type, ServerUser (Django's fields in Core's User, the
            // seed app's phone, birth date and premium flag in ServerUser): the same table and columns.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
