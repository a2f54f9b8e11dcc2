using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Sqlite;

/// <summary>The hash-chained audit log (see <see cref="Audit.AuditChain"/>).</summary>
[DbContext(typeof(SqliteCofferDb))]
[Migration("20261121010000_AuditLog")]
public sealed class AuditLog : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "audit_events",
            columns: table => new
            {
                Sequence = table.Column<long>(nullable: false),
                Date = table.Column<DateTime>(nullable: false),
                Type = table.Column<int>(nullable: false),
                UserId = table.Column<Guid>(nullable: true),
                ActingUserId = table.Column<Guid>(nullable: true),
                DeviceId = table.Column<Guid>(nullable: true),
                DeviceType = table.Column<int>(nullable: true),
                CipherId = table.Column<Guid>(nullable: true),
                IpAddress = table.Column<string>(maxLength: 64, nullable: true),
                Detail = table.Column<string>(maxLength: 256, nullable: true),
                PreviousHash = table.Column<string>(maxLength: 64, nullable: false),
                Hash = table.Column<string>(maxLength: 64, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_audit_events", x => x.Sequence));
        migrationBuilder.CreateIndex(name: "IX_audit_events_UserId_Date", table: "audit_events", columns: ["UserId", "Date"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("audit_events");
    }
}
