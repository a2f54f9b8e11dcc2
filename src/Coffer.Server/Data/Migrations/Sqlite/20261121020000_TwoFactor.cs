using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Sqlite;

/// <summary>Two-step login: the TOTP state and recovery-code hash on the account, and per-device remember tokens.</summary>
[DbContext(typeof(SqliteCofferDb))]
[Migration("20261121020000_TwoFactor")]
public sealed class TwoFactor : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<string>(name: "TotpSecret", table: "users", maxLength: 64, nullable: true);
        migrationBuilder.AddColumn<long>(name: "TotpLastStep", table: "users", nullable: false, defaultValue: 0L);
        migrationBuilder.AddColumn<string>(name: "TwoFactorRecoveryCodeHash", table: "users", maxLength: 64, nullable: true);

        migrationBuilder.CreateTable(
            name: "two_factor_remember_tokens",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                DeviceId = table.Column<Guid>(nullable: false),
                TokenHash = table.Column<string>(maxLength: 64, nullable: false),
                SecurityStamp = table.Column<string>(maxLength: 64, nullable: false),
                CreationDate = table.Column<DateTime>(nullable: false),
                ExpirationDate = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_two_factor_remember_tokens", x => x.Id);
                table.ForeignKey("FK_two_factor_remember_tokens_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_two_factor_remember_tokens_devices_DeviceId", x => x.DeviceId, "devices", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_two_factor_remember_tokens_TokenHash", table: "two_factor_remember_tokens", column: "TokenHash", unique: true);
        migrationBuilder.CreateIndex(name: "IX_two_factor_remember_tokens_UserId", table: "two_factor_remember_tokens", column: "UserId");
        migrationBuilder.CreateIndex(name: "IX_two_factor_remember_tokens_DeviceId", table: "two_factor_remember_tokens", column: "DeviceId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("two_factor_remember_tokens");
        migrationBuilder.DropColumn(name: "TotpSecret", table: "users");
        migrationBuilder.DropColumn(name: "TotpLastStep", table: "users");
        migrationBuilder.DropColumn(name: "TwoFactorRecoveryCodeHash", table: "users");
    }
}
