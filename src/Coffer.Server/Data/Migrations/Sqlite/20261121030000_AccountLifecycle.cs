using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Sqlite;

/// <summary>Pending e-mail changes (see <see cref="Accounts.EmailChange"/>); they go with their user.</summary>
[DbContext(typeof(SqliteCofferDb))]
[Migration("20261121030000_AccountLifecycle")]
public sealed class AccountLifecycle : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "email_changes",
            columns: table => new
            {
                UserId = table.Column<Guid>(nullable: false),
                NewEmail = table.Column<string>(maxLength: 256, nullable: false),
                TokenHash = table.Column<string>(maxLength: 64, nullable: false),
                ExpirationDate = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_email_changes", x => x.UserId);
                table.ForeignKey("FK_email_changes_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("email_changes");
    }
}
