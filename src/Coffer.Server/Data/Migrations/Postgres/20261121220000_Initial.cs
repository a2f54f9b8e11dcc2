using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Postgres;

/// <summary>
/// The PostgreSQL schema, equal to the SQLite migrations up to <c>20261121050000_Admin</c> taken together. Later
/// changes add one migration here and one in <c>Migrations/Sqlite</c>. Types: uuid ids, timestamptz for every
/// timestamp (all UTC), bytea for cipher data, varchar(n) where the model bounds a length. E-mail addresses are
/// stored normalized to lower case by the application, so a plain unique index is case-insensitive in effect.
/// </summary>
[DbContext(typeof(PostgresCofferDb))]
[Migration("20261121220000_Initial")]
public sealed class Initial : Migration
{
    private const string Time = "timestamp with time zone";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "users",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                Name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                MasterPasswordHint = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                PasswordHash = table.Column<string>(type: "text", nullable: false),
                Kdf = table.Column<int>(type: "integer", nullable: false),
                KdfIterations = table.Column<int>(type: "integer", nullable: false),
                KdfMemory = table.Column<int>(type: "integer", nullable: true),
                KdfParallelism = table.Column<int>(type: "integer", nullable: true),
                Key = table.Column<string>(type: "text", nullable: false),
                PublicKey = table.Column<string>(type: "text", nullable: false),
                PrivateKey = table.Column<string>(type: "text", nullable: false),
                UserKeyId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                SecurityStamp = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                RevisionDate = table.Column<DateTime>(type: Time, nullable: false),
                AccountRevisionDate = table.Column<DateTime>(type: Time, nullable: false),
                TotpSecret = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                TotpLastStep = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                TwoFactorRecoveryCodeHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                IsAdmin = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                Disabled = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
            },
            constraints: table => table.PrimaryKey("PK_users", x => x.Id));
        migrationBuilder.CreateIndex(name: "IX_users_Email", table: "users", column: "Email", unique: true);

        migrationBuilder.CreateTable(
            name: "devices",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                UserId = table.Column<Guid>(type: "uuid", nullable: false),
                Identifier = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                Name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                Type = table.Column<int>(type: "integer", nullable: false),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                RevisionDate = table.Column<DateTime>(type: Time, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_devices", x => x.Id);
                table.ForeignKey("FK_devices_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_devices_UserId_Identifier", table: "devices", columns: ["UserId", "Identifier"], unique: true);

        migrationBuilder.CreateTable(
            name: "refresh_tokens",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                UserId = table.Column<Guid>(type: "uuid", nullable: false),
                DeviceId = table.Column<Guid>(type: "uuid", nullable: false),
                TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                SecurityStamp = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                ClientId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                ExpirationDate = table.Column<DateTime>(type: Time, nullable: false),
                ConsumedDate = table.Column<DateTime>(type: Time, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_refresh_tokens", x => x.Id);
                table.ForeignKey("FK_refresh_tokens_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_refresh_tokens_devices_DeviceId", x => x.DeviceId, "devices", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_refresh_tokens_TokenHash", table: "refresh_tokens", column: "TokenHash", unique: true);
        migrationBuilder.CreateIndex(name: "IX_refresh_tokens_DeviceId", table: "refresh_tokens", column: "DeviceId");
        migrationBuilder.CreateIndex(name: "IX_refresh_tokens_UserId", table: "refresh_tokens", column: "UserId");

        migrationBuilder.CreateTable(
            name: "folders",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                UserId = table.Column<Guid>(type: "uuid", nullable: false),
                Name = table.Column<string>(type: "text", nullable: false),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                RevisionDate = table.Column<DateTime>(type: Time, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_folders", x => x.Id);
                table.ForeignKey("FK_folders_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_folders_UserId", table: "folders", column: "UserId");

        migrationBuilder.CreateTable(
            name: "ciphers",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                UserId = table.Column<Guid>(type: "uuid", nullable: false),
                FolderId = table.Column<Guid>(type: "uuid", nullable: true),
                Type = table.Column<int>(type: "integer", nullable: false),
                Favorite = table.Column<bool>(type: "boolean", nullable: false),
                Data = table.Column<byte[]>(type: "bytea", nullable: false),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                RevisionDate = table.Column<DateTime>(type: Time, nullable: false),
                DeletedDate = table.Column<DateTime>(type: Time, nullable: true),
                ArchivedDate = table.Column<DateTime>(type: Time, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ciphers", x => x.Id);
                table.ForeignKey("FK_ciphers_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_ciphers_folders_FolderId", x => x.FolderId, "folders", "Id", onDelete: ReferentialAction.SetNull);
            });
        migrationBuilder.CreateIndex(name: "IX_ciphers_UserId", table: "ciphers", column: "UserId");
        migrationBuilder.CreateIndex(name: "IX_ciphers_FolderId", table: "ciphers", column: "FolderId");

        // No foreign keys: the log outlives the accounts and items it speaks of. The primary key on Sequence is
        // what makes a forked chain impossible even if two writers ever read the same head.
        migrationBuilder.CreateTable(
            name: "audit_events",
            columns: table => new
            {
                Sequence = table.Column<long>(type: "bigint", nullable: false),
                Date = table.Column<DateTime>(type: Time, nullable: false),
                Type = table.Column<int>(type: "integer", nullable: false),
                UserId = table.Column<Guid>(type: "uuid", nullable: true),
                ActingUserId = table.Column<Guid>(type: "uuid", nullable: true),
                DeviceId = table.Column<Guid>(type: "uuid", nullable: true),
                DeviceType = table.Column<int>(type: "integer", nullable: true),
                CipherId = table.Column<Guid>(type: "uuid", nullable: true),
                IpAddress = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                Detail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                PreviousHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_audit_events", x => x.Sequence));
        migrationBuilder.CreateIndex(name: "IX_audit_events_UserId_Date", table: "audit_events", columns: ["UserId", "Date"]);

        migrationBuilder.CreateTable(
            name: "two_factor_remember_tokens",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                UserId = table.Column<Guid>(type: "uuid", nullable: false),
                DeviceId = table.Column<Guid>(type: "uuid", nullable: false),
                TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                SecurityStamp = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                ExpirationDate = table.Column<DateTime>(type: Time, nullable: false),
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

        migrationBuilder.CreateTable(
            name: "email_changes",
            columns: table => new
            {
                UserId = table.Column<Guid>(type: "uuid", nullable: false),
                NewEmail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                ExpirationDate = table.Column<DateTime>(type: Time, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_email_changes", x => x.UserId);
                table.ForeignKey("FK_email_changes_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
            });

        // Times in Unix milliseconds (see Abuse/DatabaseAttemptStore.cs).
        migrationBuilder.CreateTable(
            name: "attempt_counters",
            columns: table => new
            {
                Key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                Count = table.Column<int>(type: "integer", nullable: false),
                WindowEnds = table.Column<long>(type: "bigint", nullable: false),
                LockedUntil = table.Column<long>(type: "bigint", nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_attempt_counters", x => x.Key));
        migrationBuilder.CreateIndex(name: "IX_attempt_counters_WindowEnds", table: "attempt_counters", column: "WindowEnds");

        migrationBuilder.CreateTable(
            name: "invitations",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                CreatedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                ExpirationDate = table.Column<DateTime>(type: Time, nullable: false),
                UsedDate = table.Column<DateTime>(type: Time, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_invitations", x => x.Id));
        migrationBuilder.CreateIndex(name: "IX_invitations_TokenHash", table: "invitations", column: "TokenHash", unique: true);
        migrationBuilder.CreateIndex(name: "IX_invitations_Email", table: "invitations", column: "Email");

        migrationBuilder.CreateTable(
            name: "server_settings",
            columns: table => new
            {
                Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                Value = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_server_settings", x => x.Name));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var table in new[] { "server_settings", "invitations", "attempt_counters", "email_changes", "two_factor_remember_tokens", "audit_events", "ciphers", "folders", "refresh_tokens", "devices", "users" })
        {
            migrationBuilder.DropTable(table);
        }
    }
}
