using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Sqlite;

/// <summary>
/// Audit chains per account, per organization and for the server (<c>Audit/AuditChain</c>), and checkpoints over
/// their heads. The events written so far become the sealed legacy chain: each keeps its sequence number as its
/// position and its hash unchanged, so it verifies exactly as before (and a broken one stays reported); nothing is
/// appended to it. The sequence number is allocated by SQLite from now on: <c>"Sequence"</c> is already the table's
/// rowid (an INTEGER PRIMARY KEY).
/// </summary>
[DbContext(typeof(SqliteCofferDb))]
[Migration("20261208100000_AuditChains")]
public sealed class AuditChains : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<Guid>(name: "ChainId", table: "audit_events", nullable: false, defaultValue: Guid.Empty);
        migrationBuilder.AddColumn<long>(name: "Position", table: "audit_events", nullable: false, defaultValue: 0L);
        // EF Core keeps GUIDs in SQLite as upper-case text; this is Audit.AuditChain.LegacyChain (Guid.AllBitsSet).
        migrationBuilder.Sql("""UPDATE audit_events SET "ChainId" = 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', "Position" = "Sequence";""");
        migrationBuilder.CreateIndex(name: "IX_audit_events_ChainId_Position", table: "audit_events", columns: ["ChainId", "Position"], unique: true);

        migrationBuilder.CreateTable(
            name: "audit_checkpoints",
            columns: table => new
            {
                Number = table.Column<long>(nullable: false),
                Date = table.Column<DateTime>(nullable: false),
                ChainCount = table.Column<long>(nullable: false),
                EventCount = table.Column<long>(nullable: false),
                Root = table.Column<string>(maxLength: 64, nullable: false),
                PreviousHash = table.Column<string>(maxLength: 64, nullable: false),
                Hash = table.Column<string>(maxLength: 64, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_audit_checkpoints", x => x.Number));

        migrationBuilder.CreateTable(
            name: "audit_checkpoint_heads",
            columns: table => new
            {
                ChainId = table.Column<Guid>(nullable: false),
                CheckpointNumber = table.Column<long>(nullable: false),
                Position = table.Column<long>(nullable: false),
                EventId = table.Column<long>(nullable: false),
                Hash = table.Column<string>(maxLength: 64, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_audit_checkpoint_heads", x => new { x.ChainId, x.CheckpointNumber }));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("audit_checkpoint_heads");
        migrationBuilder.DropTable("audit_checkpoints");
        migrationBuilder.DropIndex(name: "IX_audit_events_ChainId_Position", table: "audit_events");
        migrationBuilder.DropColumn(name: "Position", table: "audit_events");
        migrationBuilder.DropColumn(name: "ChainId", table: "audit_events");
    }
}
