using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Sqlite;

/// <summary>Rate-limit and lockout counters (see <see cref="Abuse.DatabaseAttemptStore"/>); times in Unix milliseconds.</summary>
[DbContext(typeof(SqliteCofferDb))]
[Migration("20261121040000_AbuseDefences")]
public sealed class AbuseDefences : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "attempt_counters",
            columns: table => new
            {
                Key = table.Column<string>(maxLength: 64, nullable: false),
                Count = table.Column<int>(nullable: false),
                WindowEnds = table.Column<long>(nullable: false),
                LockedUntil = table.Column<long>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_attempt_counters", x => x.Key));
        migrationBuilder.CreateIndex(name: "IX_attempt_counters_WindowEnds", table: "attempt_counters", column: "WindowEnds");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("attempt_counters");
    }
}
