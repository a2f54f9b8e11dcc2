using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using MySql.EntityFrameworkCore.Metadata;

namespace Coffer.Server.Data.Migrations.MySql;

/// <summary>
/// The MySQL and MariaDB schema, equal to every SQLite and PostgreSQL migration up to <c>20261208100000_AuditChains</c>
/// taken together (the provider came later, so it starts from one migration). Later changes add one migration here as
/// in <c>Migrations/Sqlite</c> and <c>Migrations/Postgres</c>. Types: char(36) ids, datetime(6) for every timestamp
/// (all UTC, whole microseconds as <see cref="StorageClock"/> hands them out), longblob for cipher data, varchar(n)
/// where the model bounds a length, an AUTO_INCREMENT audit sequence; utf8mb4 with the binary collation throughout.
/// </summary>
[DbContext(typeof(MySqlCofferDb))]
[Migration("20261209000000_Initial")]
public sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        // Every table takes the database's defaults, set first: utf8mb4 (all of Unicode) and a binary collation, so
        // ids, tokens and hashes compare exactly as on SQLite and PostgreSQL (MariaDB's default collation ignores case
        // and would find an attachment id written in upper case).
        migrationBuilder.Sql("ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;");

        migrationBuilder.CreateTable(
            name: "attempt_counters",
            columns: table => new
            {
                Key = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                Count = table.Column<int>(type: "int", nullable: false),
                WindowEnds = table.Column<long>(type: "bigint", nullable: false),
                LockedUntil = table.Column<long>(type: "bigint", nullable: true)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_attempt_counters", x => x.Key);
            });

        migrationBuilder.CreateTable(
            name: "audit_checkpoint_heads",
            columns: table => new
            {
                CheckpointNumber = table.Column<long>(type: "bigint", nullable: false),
                ChainId = table.Column<Guid>(type: "char(36)", nullable: false),
                Position = table.Column<long>(type: "bigint", nullable: false),
                EventId = table.Column<long>(type: "bigint", nullable: false),
                Hash = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_audit_checkpoint_heads", x => new { x.ChainId, x.CheckpointNumber });
            });

        migrationBuilder.CreateTable(
            name: "audit_checkpoints",
            columns: table => new
            {
                Number = table.Column<long>(type: "bigint", nullable: false),
                Date = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                ChainCount = table.Column<long>(type: "bigint", nullable: false),
                EventCount = table.Column<long>(type: "bigint", nullable: false),
                Root = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                PreviousHash = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                Hash = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_audit_checkpoints", x => x.Number);
            });

        migrationBuilder.CreateTable(
            name: "audit_events",
            columns: table => new
            {
                Sequence = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation("MySQL:ValueGenerationStrategy", MySQLValueGenerationStrategy.IdentityColumn),
                ChainId = table.Column<Guid>(type: "char(36)", nullable: false),
                Position = table.Column<long>(type: "bigint", nullable: false),
                Date = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                Type = table.Column<int>(type: "int", nullable: false),
                UserId = table.Column<Guid>(type: "char(36)", nullable: true),
                ActingUserId = table.Column<Guid>(type: "char(36)", nullable: true),
                DeviceId = table.Column<Guid>(type: "char(36)", nullable: true),
                DeviceType = table.Column<int>(type: "int", nullable: true),
                CipherId = table.Column<Guid>(type: "char(36)", nullable: true),
                OrganizationId = table.Column<Guid>(type: "char(36)", nullable: true),
                CollectionId = table.Column<Guid>(type: "char(36)", nullable: true),
                MembershipId = table.Column<Guid>(type: "char(36)", nullable: true),
                GroupId = table.Column<Guid>(type: "char(36)", nullable: true),
                PolicyId = table.Column<Guid>(type: "char(36)", nullable: true),
                IpAddress = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: true),
                Detail = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true),
                PreviousHash = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                Hash = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_audit_events", x => x.Sequence);
            });

        migrationBuilder.CreateTable(
            name: "blobs",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                Key = table.Column<string>(type: "varchar(200)", maxLength: 200, nullable: true),
                Length = table.Column<long>(type: "bigint", nullable: false),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_blobs", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "invitations",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                Email = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                TokenHash = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                CreatedByUserId = table.Column<Guid>(type: "char(36)", nullable: true),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                ExpirationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                UsedDate = table.Column<DateTime>(type: "datetime(6)", nullable: true)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_invitations", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "mail_outbox",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                To = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                Subject = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                TextBody = table.Column<string>(type: "longtext", nullable: false),
                HtmlBody = table.Column<string>(type: "longtext", nullable: false),
                Template = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                NextAttemptDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                Attempts = table.Column<int>(type: "int", nullable: false),
                LockedUntil = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                LastError = table.Column<string>(type: "varchar(512)", maxLength: 512, nullable: true),
                FailedDate = table.Column<DateTime>(type: "datetime(6)", nullable: true)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_mail_outbox", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "organizations",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                Name = table.Column<string>(type: "varchar(50)", maxLength: 50, nullable: false),
                BillingEmail = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                PublicKey = table.Column<string>(type: "longtext", nullable: true),
                PrivateKey = table.Column<string>(type: "longtext", nullable: true),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                RevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_organizations", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "server_settings",
            columns: table => new
            {
                Name = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                Value = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_server_settings", x => x.Name);
            });

        migrationBuilder.CreateTable(
            name: "users",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                Email = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                Name = table.Column<string>(type: "varchar(50)", maxLength: 50, nullable: true),
                MasterPasswordHint = table.Column<string>(type: "varchar(50)", maxLength: 50, nullable: true),
                PasswordHash = table.Column<string>(type: "longtext", nullable: false),
                Kdf = table.Column<int>(type: "int", nullable: false),
                KdfIterations = table.Column<int>(type: "int", nullable: false),
                KdfMemory = table.Column<int>(type: "int", nullable: true),
                KdfParallelism = table.Column<int>(type: "int", nullable: true),
                Key = table.Column<string>(type: "longtext", nullable: false),
                PublicKey = table.Column<string>(type: "longtext", nullable: false),
                PrivateKey = table.Column<string>(type: "longtext", nullable: false),
                UserKeyId = table.Column<string>(type: "varchar(32)", maxLength: 32, nullable: true),
                SecurityStamp = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                RevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                AccountRevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                IsAdmin = table.Column<bool>(type: "tinyint(1)", nullable: false),
                Disabled = table.Column<bool>(type: "tinyint(1)", nullable: false),
                TotpSecret = table.Column<string>(type: "varchar(128)", maxLength: 128, nullable: true),
                TotpLastStep = table.Column<long>(type: "bigint", nullable: false),
                TwoFactorRecoveryCodeHash = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: true),
                TwoFactorEmail = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_users", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "blob_chunks",
            columns: table => new
            {
                BlobId = table.Column<Guid>(type: "char(36)", nullable: false),
                Sequence = table.Column<int>(type: "int", nullable: false),
                Data = table.Column<byte[]>(type: "longblob", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_blob_chunks", x => new { x.BlobId, x.Sequence });
                table.ForeignKey(
                    name: "FK_blob_chunks_blobs_BlobId",
                    column: x => x.BlobId,
                    principalTable: "blobs",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "collections",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                OrganizationId = table.Column<Guid>(type: "char(36)", nullable: false),
                Name = table.Column<string>(type: "varchar(1000)", maxLength: 1000, nullable: false),
                ExternalId = table.Column<string>(type: "varchar(300)", maxLength: 300, nullable: true),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                RevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_collections", x => x.Id);
                table.ForeignKey(
                    name: "FK_collections_organizations_OrganizationId",
                    column: x => x.OrganizationId,
                    principalTable: "organizations",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "groups",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                OrganizationId = table.Column<Guid>(type: "char(36)", nullable: false),
                Name = table.Column<string>(type: "varchar(100)", maxLength: 100, nullable: false),
                ExternalId = table.Column<string>(type: "varchar(300)", maxLength: 300, nullable: true),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                RevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_groups", x => x.Id);
                table.ForeignKey(
                    name: "FK_groups_organizations_OrganizationId",
                    column: x => x.OrganizationId,
                    principalTable: "organizations",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "policies",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                OrganizationId = table.Column<Guid>(type: "char(36)", nullable: false),
                Type = table.Column<int>(type: "int", nullable: false),
                Enabled = table.Column<bool>(type: "tinyint(1)", nullable: false),
                Data = table.Column<string>(type: "longtext", nullable: true),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                RevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_policies", x => x.Id);
                table.ForeignKey(
                    name: "FK_policies_organizations_OrganizationId",
                    column: x => x.OrganizationId,
                    principalTable: "organizations",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "devices",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                UserId = table.Column<Guid>(type: "char(36)", nullable: false),
                Identifier = table.Column<string>(type: "varchar(128)", maxLength: 128, nullable: false),
                Name = table.Column<string>(type: "varchar(128)", maxLength: 128, nullable: false),
                Type = table.Column<int>(type: "int", nullable: false),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                RevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_devices", x => x.Id);
                table.ForeignKey(
                    name: "FK_devices_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "email_changes",
            columns: table => new
            {
                UserId = table.Column<Guid>(type: "char(36)", nullable: false),
                NewEmail = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                TokenHash = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                ExpirationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_email_changes", x => x.UserId);
                table.ForeignKey(
                    name: "FK_email_changes_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "email_codes",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                UserId = table.Column<Guid>(type: "char(36)", nullable: false),
                Purpose = table.Column<int>(type: "int", nullable: false),
                Email = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true),
                CodeHash = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                ExpirationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                FailedAttempts = table.Column<int>(type: "int", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_email_codes", x => x.Id);
                table.ForeignKey(
                    name: "FK_email_codes_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "emergency_access",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                GrantorId = table.Column<Guid>(type: "char(36)", nullable: false),
                GranteeId = table.Column<Guid>(type: "char(36)", nullable: true),
                Email = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                KeyEncrypted = table.Column<string>(type: "longtext", nullable: true),
                Type = table.Column<int>(type: "int", nullable: false),
                Status = table.Column<int>(type: "int", nullable: false),
                WaitTimeDays = table.Column<int>(type: "int", nullable: false),
                RecoveryInitiatedDate = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                LastNotificationDate = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                RevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_emergency_access", x => x.Id);
                table.ForeignKey(
                    name: "FK_emergency_access_users_GranteeId",
                    column: x => x.GranteeId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
                table.ForeignKey(
                    name: "FK_emergency_access_users_GrantorId",
                    column: x => x.GrantorId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "folders",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                UserId = table.Column<Guid>(type: "char(36)", nullable: false),
                Name = table.Column<string>(type: "longtext", nullable: false),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                RevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_folders", x => x.Id);
                table.ForeignKey(
                    name: "FK_folders_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "memberships",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                OrganizationId = table.Column<Guid>(type: "char(36)", nullable: false),
                UserId = table.Column<Guid>(type: "char(36)", nullable: true),
                Email = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                Key = table.Column<string>(type: "longtext", nullable: true),
                Status = table.Column<int>(type: "int", nullable: false),
                StatusBeforeRevoke = table.Column<int>(type: "int", nullable: true),
                Type = table.Column<int>(type: "int", nullable: false),
                Permissions = table.Column<string>(type: "longtext", nullable: true),
                ExternalId = table.Column<string>(type: "varchar(300)", maxLength: 300, nullable: true),
                InvitedByEmail = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                RevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_memberships", x => x.Id);
                table.ForeignKey(
                    name: "FK_memberships_organizations_OrganizationId",
                    column: x => x.OrganizationId,
                    principalTable: "organizations",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
                table.ForeignKey(
                    name: "FK_memberships_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "sends",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                UserId = table.Column<Guid>(type: "char(36)", nullable: false),
                Type = table.Column<int>(type: "int", nullable: false),
                AuthType = table.Column<int>(type: "int", nullable: false),
                Name = table.Column<string>(type: "longtext", nullable: false),
                Notes = table.Column<string>(type: "longtext", nullable: true),
                Key = table.Column<string>(type: "longtext", nullable: false),
                Data = table.Column<string>(type: "longtext", nullable: false),
                FileId = table.Column<string>(type: "varchar(32)", maxLength: 32, nullable: true),
                FileSize = table.Column<long>(type: "bigint", nullable: true),
                FileUploaded = table.Column<bool>(type: "tinyint(1)", nullable: false),
                PasswordHash = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true),
                MaxAccessCount = table.Column<int>(type: "int", nullable: true),
                AccessCount = table.Column<int>(type: "int", nullable: false),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                RevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                ExpirationDate = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                DeletionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                Disabled = table.Column<bool>(type: "tinyint(1)", nullable: false),
                HideEmail = table.Column<bool>(type: "tinyint(1)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_sends", x => x.Id);
                table.ForeignKey(
                    name: "FK_sends_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "webauthn_challenges",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                UserId = table.Column<Guid>(type: "char(36)", nullable: true),
                Ceremony = table.Column<int>(type: "int", nullable: false),
                Options = table.Column<string>(type: "longtext", nullable: false),
                ExpirationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_webauthn_challenges", x => x.Id);
                table.ForeignKey(
                    name: "FK_webauthn_challenges_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "webauthn_credentials",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                UserId = table.Column<Guid>(type: "char(36)", nullable: false),
                Kind = table.Column<int>(type: "int", nullable: false),
                SlotId = table.Column<int>(type: "int", nullable: false),
                Name = table.Column<string>(type: "varchar(50)", maxLength: 50, nullable: false),
                CredentialId = table.Column<string>(type: "varchar(1400)", maxLength: 1400, nullable: false),
                PublicKey = table.Column<byte[]>(type: "longblob", nullable: false),
                SignCount = table.Column<long>(type: "bigint", nullable: false),
                Transports = table.Column<string>(type: "varchar(200)", maxLength: 200, nullable: true),
                AaGuid = table.Column<Guid>(type: "char(36)", nullable: false),
                IsBackupEligible = table.Column<bool>(type: "tinyint(1)", nullable: false),
                IsBackedUp = table.Column<bool>(type: "tinyint(1)", nullable: false),
                SupportsPrf = table.Column<bool>(type: "tinyint(1)", nullable: false),
                EncryptedUserKey = table.Column<string>(type: "longtext", nullable: true),
                EncryptedPublicKey = table.Column<string>(type: "longtext", nullable: true),
                EncryptedPrivateKey = table.Column<string>(type: "longtext", nullable: true),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                LastUsedDate = table.Column<DateTime>(type: "datetime(6)", nullable: true)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_webauthn_credentials", x => x.Id);
                table.ForeignKey(
                    name: "FK_webauthn_credentials_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "collection_groups",
            columns: table => new
            {
                CollectionId = table.Column<Guid>(type: "char(36)", nullable: false),
                GroupId = table.Column<Guid>(type: "char(36)", nullable: false),
                ReadOnly = table.Column<bool>(type: "tinyint(1)", nullable: false),
                HidePasswords = table.Column<bool>(type: "tinyint(1)", nullable: false),
                Manage = table.Column<bool>(type: "tinyint(1)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_collection_groups", x => new { x.CollectionId, x.GroupId });
                table.ForeignKey(
                    name: "FK_collection_groups_collections_CollectionId",
                    column: x => x.CollectionId,
                    principalTable: "collections",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
                table.ForeignKey(
                    name: "FK_collection_groups_groups_GroupId",
                    column: x => x.GroupId,
                    principalTable: "groups",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "refresh_tokens",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                UserId = table.Column<Guid>(type: "char(36)", nullable: false),
                DeviceId = table.Column<Guid>(type: "char(36)", nullable: false),
                TokenHash = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                SecurityStamp = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                ClientId = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                ExpirationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                ConsumedDate = table.Column<DateTime>(type: "datetime(6)", nullable: true)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_refresh_tokens", x => x.Id);
                table.ForeignKey(
                    name: "FK_refresh_tokens_devices_DeviceId",
                    column: x => x.DeviceId,
                    principalTable: "devices",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
                table.ForeignKey(
                    name: "FK_refresh_tokens_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "two_factor_remember_tokens",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                UserId = table.Column<Guid>(type: "char(36)", nullable: false),
                DeviceId = table.Column<Guid>(type: "char(36)", nullable: false),
                TokenHash = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                SecurityStamp = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                ExpirationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_two_factor_remember_tokens", x => x.Id);
                table.ForeignKey(
                    name: "FK_two_factor_remember_tokens_devices_DeviceId",
                    column: x => x.DeviceId,
                    principalTable: "devices",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
                table.ForeignKey(
                    name: "FK_two_factor_remember_tokens_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "ciphers",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                UserId = table.Column<Guid>(type: "char(36)", nullable: true),
                OrganizationId = table.Column<Guid>(type: "char(36)", nullable: true),
                FolderId = table.Column<Guid>(type: "char(36)", nullable: true),
                Type = table.Column<int>(type: "int", nullable: false),
                Favorite = table.Column<bool>(type: "tinyint(1)", nullable: false),
                Data = table.Column<byte[]>(type: "longblob", nullable: false),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                RevisionDate = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                DeletedDate = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                ArchivedDate = table.Column<DateTime>(type: "datetime(6)", nullable: true)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ciphers", x => x.Id);
                table.ForeignKey(
                    name: "FK_ciphers_folders_FolderId",
                    column: x => x.FolderId,
                    principalTable: "folders",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.SetNull);
                table.ForeignKey(
                    name: "FK_ciphers_organizations_OrganizationId",
                    column: x => x.OrganizationId,
                    principalTable: "organizations",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
                table.ForeignKey(
                    name: "FK_ciphers_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "collection_members",
            columns: table => new
            {
                CollectionId = table.Column<Guid>(type: "char(36)", nullable: false),
                MembershipId = table.Column<Guid>(type: "char(36)", nullable: false),
                ReadOnly = table.Column<bool>(type: "tinyint(1)", nullable: false),
                HidePasswords = table.Column<bool>(type: "tinyint(1)", nullable: false),
                Manage = table.Column<bool>(type: "tinyint(1)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_collection_members", x => new { x.CollectionId, x.MembershipId });
                table.ForeignKey(
                    name: "FK_collection_members_collections_CollectionId",
                    column: x => x.CollectionId,
                    principalTable: "collections",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
                table.ForeignKey(
                    name: "FK_collection_members_memberships_MembershipId",
                    column: x => x.MembershipId,
                    principalTable: "memberships",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "group_members",
            columns: table => new
            {
                GroupId = table.Column<Guid>(type: "char(36)", nullable: false),
                MembershipId = table.Column<Guid>(type: "char(36)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_group_members", x => new { x.GroupId, x.MembershipId });
                table.ForeignKey(
                    name: "FK_group_members_groups_GroupId",
                    column: x => x.GroupId,
                    principalTable: "groups",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
                table.ForeignKey(
                    name: "FK_group_members_memberships_MembershipId",
                    column: x => x.MembershipId,
                    principalTable: "memberships",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "attachments",
            columns: table => new
            {
                Id = table.Column<string>(type: "varchar(32)", maxLength: 32, nullable: false),
                CipherId = table.Column<Guid>(type: "char(36)", nullable: false),
                FileName = table.Column<string>(type: "longtext", nullable: false),
                Key = table.Column<string>(type: "longtext", nullable: true),
                Size = table.Column<long>(type: "bigint", nullable: false),
                Uploaded = table.Column<bool>(type: "tinyint(1)", nullable: false),
                CreationDate = table.Column<DateTime>(type: "datetime(6)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_attachments", x => x.Id);
                table.ForeignKey(
                    name: "FK_attachments_ciphers_CipherId",
                    column: x => x.CipherId,
                    principalTable: "ciphers",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "cipher_preferences",
            columns: table => new
            {
                UserId = table.Column<Guid>(type: "char(36)", nullable: false),
                CipherId = table.Column<Guid>(type: "char(36)", nullable: false),
                FolderId = table.Column<Guid>(type: "char(36)", nullable: true),
                Favorite = table.Column<bool>(type: "tinyint(1)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_cipher_preferences", x => new { x.UserId, x.CipherId });
                table.ForeignKey(
                    name: "FK_cipher_preferences_ciphers_CipherId",
                    column: x => x.CipherId,
                    principalTable: "ciphers",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
                table.ForeignKey(
                    name: "FK_cipher_preferences_folders_FolderId",
                    column: x => x.FolderId,
                    principalTable: "folders",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.SetNull);
                table.ForeignKey(
                    name: "FK_cipher_preferences_users_UserId",
                    column: x => x.UserId,
                    principalTable: "users",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "collection_ciphers",
            columns: table => new
            {
                CollectionId = table.Column<Guid>(type: "char(36)", nullable: false),
                CipherId = table.Column<Guid>(type: "char(36)", nullable: false)
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_collection_ciphers", x => new { x.CollectionId, x.CipherId });
                table.ForeignKey(
                    name: "FK_collection_ciphers_ciphers_CipherId",
                    column: x => x.CipherId,
                    principalTable: "ciphers",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
                table.ForeignKey(
                    name: "FK_collection_ciphers_collections_CollectionId",
                    column: x => x.CollectionId,
                    principalTable: "collections",
                    principalColumn: "Id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex(
            name: "IX_attachments_CipherId",
            table: "attachments",
            column: "CipherId");

        migrationBuilder.CreateIndex(
            name: "IX_attempt_counters_WindowEnds",
            table: "attempt_counters",
            column: "WindowEnds");

        migrationBuilder.CreateIndex(
            name: "IX_audit_events_ChainId_Position",
            table: "audit_events",
            columns: ["ChainId", "Position"],
            unique: true);

        migrationBuilder.CreateIndex(
            name: "IX_audit_events_OrganizationId_Date",
            table: "audit_events",
            columns: ["OrganizationId", "Date"]);

        migrationBuilder.CreateIndex(
            name: "IX_audit_events_UserId_Date",
            table: "audit_events",
            columns: ["UserId", "Date"]);

        migrationBuilder.CreateIndex(
            name: "IX_blobs_Key",
            table: "blobs",
            column: "Key",
            unique: true);

        migrationBuilder.CreateIndex(
            name: "IX_cipher_preferences_CipherId",
            table: "cipher_preferences",
            column: "CipherId");

        migrationBuilder.CreateIndex(
            name: "IX_cipher_preferences_FolderId",
            table: "cipher_preferences",
            column: "FolderId");

        migrationBuilder.CreateIndex(
            name: "IX_ciphers_FolderId",
            table: "ciphers",
            column: "FolderId");

        migrationBuilder.CreateIndex(
            name: "IX_ciphers_OrganizationId",
            table: "ciphers",
            column: "OrganizationId");

        migrationBuilder.CreateIndex(
            name: "IX_ciphers_UserId",
            table: "ciphers",
            column: "UserId");

        migrationBuilder.CreateIndex(
            name: "IX_collection_ciphers_CipherId",
            table: "collection_ciphers",
            column: "CipherId");

        migrationBuilder.CreateIndex(
            name: "IX_collection_groups_GroupId",
            table: "collection_groups",
            column: "GroupId");

        migrationBuilder.CreateIndex(
            name: "IX_collection_members_MembershipId",
            table: "collection_members",
            column: "MembershipId");

        migrationBuilder.CreateIndex(
            name: "IX_collections_OrganizationId",
            table: "collections",
            column: "OrganizationId");

        migrationBuilder.CreateIndex(
            name: "IX_devices_UserId_Identifier",
            table: "devices",
            columns: ["UserId", "Identifier"],
            unique: true);

        migrationBuilder.CreateIndex(
            name: "IX_email_codes_UserId_Purpose",
            table: "email_codes",
            columns: ["UserId", "Purpose"],
            unique: true);

        migrationBuilder.CreateIndex(
            name: "IX_emergency_access_GranteeId",
            table: "emergency_access",
            column: "GranteeId");

        migrationBuilder.CreateIndex(
            name: "IX_emergency_access_GrantorId",
            table: "emergency_access",
            column: "GrantorId");

        migrationBuilder.CreateIndex(
            name: "IX_emergency_access_Status",
            table: "emergency_access",
            column: "Status");

        migrationBuilder.CreateIndex(
            name: "IX_folders_UserId",
            table: "folders",
            column: "UserId");

        migrationBuilder.CreateIndex(
            name: "IX_group_members_MembershipId",
            table: "group_members",
            column: "MembershipId");

        migrationBuilder.CreateIndex(
            name: "IX_groups_OrganizationId",
            table: "groups",
            column: "OrganizationId");

        migrationBuilder.CreateIndex(
            name: "IX_invitations_Email",
            table: "invitations",
            column: "Email");

        migrationBuilder.CreateIndex(
            name: "IX_invitations_TokenHash",
            table: "invitations",
            column: "TokenHash",
            unique: true);

        migrationBuilder.CreateIndex(
            name: "IX_mail_outbox_NextAttemptDate",
            table: "mail_outbox",
            column: "NextAttemptDate");

        migrationBuilder.CreateIndex(
            name: "IX_memberships_Email",
            table: "memberships",
            column: "Email");

        migrationBuilder.CreateIndex(
            name: "IX_memberships_OrganizationId_Email",
            table: "memberships",
            columns: ["OrganizationId", "Email"],
            unique: true);

        migrationBuilder.CreateIndex(
            name: "IX_memberships_UserId_OrganizationId",
            table: "memberships",
            columns: ["UserId", "OrganizationId"]);

        migrationBuilder.CreateIndex(
            name: "IX_policies_OrganizationId_Type",
            table: "policies",
            columns: ["OrganizationId", "Type"],
            unique: true);

        migrationBuilder.CreateIndex(
            name: "IX_refresh_tokens_DeviceId",
            table: "refresh_tokens",
            column: "DeviceId");

        migrationBuilder.CreateIndex(
            name: "IX_refresh_tokens_TokenHash",
            table: "refresh_tokens",
            column: "TokenHash",
            unique: true);

        migrationBuilder.CreateIndex(
            name: "IX_refresh_tokens_UserId",
            table: "refresh_tokens",
            column: "UserId");

        migrationBuilder.CreateIndex(
            name: "IX_sends_DeletionDate",
            table: "sends",
            column: "DeletionDate");

        migrationBuilder.CreateIndex(
            name: "IX_sends_UserId",
            table: "sends",
            column: "UserId");

        migrationBuilder.CreateIndex(
            name: "IX_two_factor_remember_tokens_DeviceId",
            table: "two_factor_remember_tokens",
            column: "DeviceId");

        migrationBuilder.CreateIndex(
            name: "IX_two_factor_remember_tokens_TokenHash",
            table: "two_factor_remember_tokens",
            column: "TokenHash",
            unique: true);

        migrationBuilder.CreateIndex(
            name: "IX_two_factor_remember_tokens_UserId",
            table: "two_factor_remember_tokens",
            column: "UserId");

        migrationBuilder.CreateIndex(
            name: "IX_users_Email",
            table: "users",
            column: "Email",
            unique: true);

        migrationBuilder.CreateIndex(
            name: "IX_webauthn_challenges_ExpirationDate",
            table: "webauthn_challenges",
            column: "ExpirationDate");

        migrationBuilder.CreateIndex(
            name: "IX_webauthn_challenges_UserId_Ceremony",
            table: "webauthn_challenges",
            columns: ["UserId", "Ceremony"]);

        migrationBuilder.CreateIndex(
            name: "IX_webauthn_credentials_CredentialId",
            table: "webauthn_credentials",
            column: "CredentialId",
            unique: true);

        migrationBuilder.CreateIndex(
            name: "IX_webauthn_credentials_UserId_Kind",
            table: "webauthn_credentials",
            columns: ["UserId", "Kind"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable(
            name: "attachments");

        migrationBuilder.DropTable(
            name: "attempt_counters");

        migrationBuilder.DropTable(
            name: "audit_checkpoint_heads");

        migrationBuilder.DropTable(
            name: "audit_checkpoints");

        migrationBuilder.DropTable(
            name: "audit_events");

        migrationBuilder.DropTable(
            name: "blob_chunks");

        migrationBuilder.DropTable(
            name: "cipher_preferences");

        migrationBuilder.DropTable(
            name: "collection_ciphers");

        migrationBuilder.DropTable(
            name: "collection_groups");

        migrationBuilder.DropTable(
            name: "collection_members");

        migrationBuilder.DropTable(
            name: "email_changes");

        migrationBuilder.DropTable(
            name: "email_codes");

        migrationBuilder.DropTable(
            name: "emergency_access");

        migrationBuilder.DropTable(
            name: "group_members");

        migrationBuilder.DropTable(
            name: "invitations");

        migrationBuilder.DropTable(
            name: "mail_outbox");

        migrationBuilder.DropTable(
            name: "policies");

        migrationBuilder.DropTable(
            name: "refresh_tokens");

        migrationBuilder.DropTable(
            name: "sends");

        migrationBuilder.DropTable(
            name: "server_settings");

        migrationBuilder.DropTable(
            name: "two_factor_remember_tokens");

        migrationBuilder.DropTable(
            name: "webauthn_challenges");

        migrationBuilder.DropTable(
            name: "webauthn_credentials");

        migrationBuilder.DropTable(
            name: "blobs");

        migrationBuilder.DropTable(
            name: "ciphers");

        migrationBuilder.DropTable(
            name: "collections");

        migrationBuilder.DropTable(
            name: "groups");

        migrationBuilder.DropTable(
            name: "memberships");

        migrationBuilder.DropTable(
            name: "devices");

        migrationBuilder.DropTable(
            name: "folders");

        migrationBuilder.DropTable(
            name: "organizations");

        migrationBuilder.DropTable(
            name: "users");
    }
}
