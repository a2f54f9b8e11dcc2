using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Sqlite;

/// <summary>The admin role and disabled flag on accounts, invitations, and database-held server settings.</summary>
[DbContext(typeof(SqliteCofferDb))]
[Migration("20261121050000_Admin")]
public sealed class Admin : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<bool>(name: "IsAdmin", table: "users", nullable: false, defaultValue: false);
        migrationBuilder.AddColumn<bool>(name: "Disabled", table: "users", nullable: false, defaultValue: false);
        migrationBuilder.CreateTable(
            name: "invitations",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Email = table.Column<string>(maxLength: 256, nullable: false),
                TokenHash = table.Column<string>(maxLength: 64, nullable: false),
                CreatedByUserId = table.Column<Guid>(nullable: true),
                CreationDate = table.Column<DateTime>(nullable: false),
                ExpirationDate = table.Column<DateTime>(nullable: false),
                UsedDate = table.Column<DateTime>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_invitations", x => x.Id));
        migrationBuilder.CreateIndex(name: "IX_invitations_TokenHash", table: "invitations", column: "TokenHash", unique: true);
        migrationBuilder.CreateIndex(name: "IX_invitations_Email", table: "invitations", column: "Email");
        migrationBuilder.CreateTable(
            name: "server_settings",
            columns: table => new
            {
                Name = table.Column<string>(maxLength: 64, nullable: false),
                Value = table.Column<string>(maxLength: 256, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_server_settings", x => x.Name));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("server_settings");
        migrationBuilder.DropTable("invitations");
        migrationBuilder.DropColumn(name: "Disabled", table: "users");
        migrationBuilder.DropColumn(name: "IsAdmin", table: "users");
    }
}
