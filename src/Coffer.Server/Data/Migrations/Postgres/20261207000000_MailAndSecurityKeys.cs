using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Postgres;

/// <summary>
/// Mail, security keys, passkeys and emergency access (<c>bitwarden-sharing-features.md</c> §4, §5): the mail outbox,
/// WebAuthn credentials and ceremonies in progress, e-mailed one-time codes, emergency access grants, and the
/// address of two-step login by e-mail on the account.
/// </summary>
[DbContext(typeof(PostgresCofferDb))]
[Migration("20261207000000_MailAndSecurityKeys")]
public sealed class MailAndSecurityKeys : Migration
{
    private const string Time = "timestamp with time zone";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<string>(name: "TwoFactorEmail", table: "users", type: "character varying(256)", maxLength: 256, nullable: true);

        migrationBuilder.CreateTable(
            name: "mail_outbox",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                To = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                Subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                TextBody = table.Column<string>(type: "text", nullable: false),
                HtmlBody = table.Column<string>(type: "text", nullable: false),
                Template = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                NextAttemptDate = table.Column<DateTime>(type: Time, nullable: false),
                Attempts = table.Column<int>(type: "integer", nullable: false),
                LockedUntil = table.Column<DateTime>(type: Time, nullable: true),
                LastError = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                FailedDate = table.Column<DateTime>(type: Time, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_mail_outbox", x => x.Id);
            });
        migrationBuilder.CreateIndex(name: "IX_mail_outbox_NextAttemptDate", table: "mail_outbox", column: "NextAttemptDate");

        migrationBuilder.CreateTable(
            name: "webauthn_credentials",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                UserId = table.Column<Guid>(type: "uuid", nullable: false),
                Kind = table.Column<int>(type: "integer", nullable: false),
                SlotId = table.Column<int>(type: "integer", nullable: false),
                Name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                CredentialId = table.Column<string>(type: "character varying(1400)", maxLength: 1400, nullable: false),
                PublicKey = table.Column<byte[]>(type: "bytea", nullable: false),
                SignCount = table.Column<long>(type: "bigint", nullable: false),
                Transports = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                AaGuid = table.Column<Guid>(type: "uuid", nullable: false),
                IsBackupEligible = table.Column<bool>(type: "boolean", nullable: false),
                IsBackedUp = table.Column<bool>(type: "boolean", nullable: false),
                SupportsPrf = table.Column<bool>(type: "boolean", nullable: false),
                EncryptedUserKey = table.Column<string>(type: "text", nullable: true),
                EncryptedPublicKey = table.Column<string>(type: "text", nullable: true),
                EncryptedPrivateKey = table.Column<string>(type: "text", nullable: true),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                LastUsedDate = table.Column<DateTime>(type: Time, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_webauthn_credentials", x => x.Id);
                table.ForeignKey("FK_webauthn_credentials_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_webauthn_credentials_CredentialId", table: "webauthn_credentials", column: "CredentialId", unique: true);
        migrationBuilder.CreateIndex(name: "IX_webauthn_credentials_UserId_Kind", table: "webauthn_credentials", columns: ["UserId", "Kind"]);

        migrationBuilder.CreateTable(
            name: "webauthn_challenges",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                UserId = table.Column<Guid>(type: "uuid", nullable: true),
                Ceremony = table.Column<int>(type: "integer", nullable: false),
                Options = table.Column<string>(type: "text", nullable: false),
                ExpirationDate = table.Column<DateTime>(type: Time, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_webauthn_challenges", x => x.Id);
                table.ForeignKey("FK_webauthn_challenges_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_webauthn_challenges_UserId_Ceremony", table: "webauthn_challenges", columns: ["UserId", "Ceremony"]);
        migrationBuilder.CreateIndex(name: "IX_webauthn_challenges_ExpirationDate", table: "webauthn_challenges", column: "ExpirationDate");

        migrationBuilder.CreateTable(
            name: "email_codes",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                UserId = table.Column<Guid>(type: "uuid", nullable: false),
                Purpose = table.Column<int>(type: "integer", nullable: false),
                Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                CodeHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                ExpirationDate = table.Column<DateTime>(type: Time, nullable: false),
                FailedAttempts = table.Column<int>(type: "integer", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_email_codes", x => x.Id);
                table.ForeignKey("FK_email_codes_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_email_codes_UserId_Purpose", table: "email_codes", columns: ["UserId", "Purpose"], unique: true);

        migrationBuilder.CreateTable(
            name: "emergency_access",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                GrantorId = table.Column<Guid>(type: "uuid", nullable: false),
                GranteeId = table.Column<Guid>(type: "uuid", nullable: true),
                Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                KeyEncrypted = table.Column<string>(type: "text", nullable: true),
                Type = table.Column<int>(type: "integer", nullable: false),
                Status = table.Column<int>(type: "integer", nullable: false),
                WaitTimeDays = table.Column<int>(type: "integer", nullable: false),
                RecoveryInitiatedDate = table.Column<DateTime>(type: Time, nullable: true),
                LastNotificationDate = table.Column<DateTime>(type: Time, nullable: true),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                RevisionDate = table.Column<DateTime>(type: Time, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_emergency_access", x => x.Id);
                table.ForeignKey("FK_emergency_access_users_GrantorId", x => x.GrantorId, "users", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_emergency_access_users_GranteeId", x => x.GranteeId, "users", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_emergency_access_GrantorId", table: "emergency_access", column: "GrantorId");
        migrationBuilder.CreateIndex(name: "IX_emergency_access_GranteeId", table: "emergency_access", column: "GranteeId");
        migrationBuilder.CreateIndex(name: "IX_emergency_access_Status", table: "emergency_access", column: "Status");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable(name: "emergency_access");
        migrationBuilder.DropTable(name: "email_codes");
        migrationBuilder.DropTable(name: "webauthn_challenges");
        migrationBuilder.DropTable(name: "webauthn_credentials");
        migrationBuilder.DropTable(name: "mail_outbox");
        migrationBuilder.DropColumn(name: "TwoFactorEmail", table: "users");
    }
}
