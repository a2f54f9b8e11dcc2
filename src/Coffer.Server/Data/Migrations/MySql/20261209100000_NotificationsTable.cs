using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.MySql;

/// <summary>
/// The table through which nodes on one MySQL or MariaDB database pass live-sync notifications to each other
/// (<see cref="Notifications.MySqlNotificationBus"/>): MySQL has no LISTEN/NOTIFY, so each node inserts a row per
/// notification and reads the rows past the last id it read. It is not part of the EF model (the bus reads and writes
/// it with plain commands), and only MySQL has it: PostgreSQL's nodes use NOTIFY, and SQLite is one node.
/// </summary>
[DbContext(typeof(MySqlCofferDb))]
[Migration("20261209100000_NotificationsTable")]
public sealed class NotificationsTable : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        // Payload is a BusMessage's JSON (TEXT: up to 64 KiB); Created is UTC, for the background run's pruning.
        migrationBuilder.Sql("""
            CREATE TABLE notifications (
                Id bigint NOT NULL AUTO_INCREMENT,
                Payload text NOT NULL,
                Created datetime(6) NOT NULL,
                CONSTRAINT PK_notifications PRIMARY KEY (Id),
                INDEX IX_notifications_Created (Created)
            ) ENGINE = InnoDB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql("DROP TABLE notifications;");
    }
}
