using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Postgres;

/// <summary>
/// <c>users.TotpSecret</c> holds the encrypted form now (TwoFactor/TwoFactorSecrets: 67 characters for a 20-byte
/// secret), so varchar(64) becomes varchar(128). The encryption of existing values needs the signing key, which
/// migrations do not have: the server does it at start. SQLite needs no counterpart, its TEXT has no length.
/// </summary>
[DbContext(typeof(PostgresCofferDb))]
[Migration("20261204000000_TwoFactorSecretsEncrypted")]
public sealed class TwoFactorSecretsEncrypted : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AlterColumn<string>(
            name: "TotpSecret", table: "users", type: "character varying(128)", maxLength: 128, nullable: true,
            oldClrType: typeof(string), oldType: "character varying(64)", oldMaxLength: 64, oldNullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AlterColumn<string>(
            name: "TotpSecret", table: "users", type: "character varying(64)", maxLength: 64, nullable: true,
            oldClrType: typeof(string), oldType: "character varying(128)", oldMaxLength: 128, oldNullable: true);
    }
}
