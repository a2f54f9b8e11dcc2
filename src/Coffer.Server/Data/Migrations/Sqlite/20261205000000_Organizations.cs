using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Sqlite;

/// <summary>
/// Sharing (<c>bitwarden-organizations.md</c> §12): organizations, memberships, collections and their access by member
/// and by group, groups, policies, each organization item's collections, and each member's own folder and favourite
/// for organization items. <c>ciphers.UserId</c> becomes nullable and <c>ciphers.OrganizationId</c> is added: an
/// organization's item belongs to no user.
/// </summary>
[DbContext(typeof(SqliteCofferDb))]
[Migration("20261205000000_Organizations")]
public sealed class Organizations : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<Guid>(name: "OrganizationId", table: "audit_events", nullable: true);
        migrationBuilder.AddColumn<Guid>(name: "CollectionId", table: "audit_events", nullable: true);
        migrationBuilder.AddColumn<Guid>(name: "MembershipId", table: "audit_events", nullable: true);
        migrationBuilder.AddColumn<Guid>(name: "GroupId", table: "audit_events", nullable: true);
        migrationBuilder.AddColumn<Guid>(name: "PolicyId", table: "audit_events", nullable: true);
        migrationBuilder.CreateIndex(name: "IX_audit_events_OrganizationId_Date", table: "audit_events", columns: ["OrganizationId", "Date"]);

        migrationBuilder.CreateTable(
            name: "organizations",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 50, nullable: false),
                BillingEmail = table.Column<string>(maxLength: 256, nullable: false),
                PublicKey = table.Column<string>(nullable: true),
                PrivateKey = table.Column<string>(nullable: true),
                CreationDate = table.Column<DateTime>(nullable: false),
                RevisionDate = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_organizations", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "memberships",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                OrganizationId = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: true),
                Email = table.Column<string>(maxLength: 256, nullable: false),
                Key = table.Column<string>(nullable: true),
                Status = table.Column<int>(nullable: false),
                StatusBeforeRevoke = table.Column<int>(nullable: true),
                Type = table.Column<int>(nullable: false),
                Permissions = table.Column<string>(nullable: true),
                ExternalId = table.Column<string>(maxLength: 300, nullable: true),
                InvitedByEmail = table.Column<string>(maxLength: 256, nullable: true),
                CreationDate = table.Column<DateTime>(nullable: false),
                RevisionDate = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_memberships", x => x.Id);
                table.ForeignKey("FK_memberships_organizations_OrganizationId", x => x.OrganizationId, "organizations", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_memberships_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_memberships_OrganizationId_Email", table: "memberships", columns: ["OrganizationId", "Email"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_memberships_UserId_OrganizationId", table: "memberships", columns: ["UserId", "OrganizationId"]);
        migrationBuilder.CreateIndex(name: "IX_memberships_Email", table: "memberships", column: "Email");

        migrationBuilder.CreateTable(
            name: "collections",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                OrganizationId = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 1000, nullable: false),
                ExternalId = table.Column<string>(maxLength: 300, nullable: true),
                CreationDate = table.Column<DateTime>(nullable: false),
                RevisionDate = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_collections", x => x.Id);
                table.ForeignKey("FK_collections_organizations_OrganizationId", x => x.OrganizationId, "organizations", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_collections_OrganizationId", table: "collections", column: "OrganizationId");

        migrationBuilder.CreateTable(
            name: "collection_members",
            columns: table => new
            {
                CollectionId = table.Column<Guid>(nullable: false),
                MembershipId = table.Column<Guid>(nullable: false),
                ReadOnly = table.Column<bool>(nullable: false),
                HidePasswords = table.Column<bool>(nullable: false),
                Manage = table.Column<bool>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_collection_members", x => new { x.CollectionId, x.MembershipId });
                table.ForeignKey("FK_collection_members_collections_CollectionId", x => x.CollectionId, "collections", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_collection_members_memberships_MembershipId", x => x.MembershipId, "memberships", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_collection_members_MembershipId", table: "collection_members", column: "MembershipId");

        migrationBuilder.CreateTable(
            name: "groups",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                OrganizationId = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: false),
                ExternalId = table.Column<string>(maxLength: 300, nullable: true),
                CreationDate = table.Column<DateTime>(nullable: false),
                RevisionDate = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_groups", x => x.Id);
                table.ForeignKey("FK_groups_organizations_OrganizationId", x => x.OrganizationId, "organizations", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_groups_OrganizationId", table: "groups", column: "OrganizationId");

        migrationBuilder.CreateTable(
            name: "group_members",
            columns: table => new
            {
                GroupId = table.Column<Guid>(nullable: false),
                MembershipId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_group_members", x => new { x.GroupId, x.MembershipId });
                table.ForeignKey("FK_group_members_groups_GroupId", x => x.GroupId, "groups", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_group_members_memberships_MembershipId", x => x.MembershipId, "memberships", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_group_members_MembershipId", table: "group_members", column: "MembershipId");

        migrationBuilder.CreateTable(
            name: "collection_groups",
            columns: table => new
            {
                CollectionId = table.Column<Guid>(nullable: false),
                GroupId = table.Column<Guid>(nullable: false),
                ReadOnly = table.Column<bool>(nullable: false),
                HidePasswords = table.Column<bool>(nullable: false),
                Manage = table.Column<bool>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_collection_groups", x => new { x.CollectionId, x.GroupId });
                table.ForeignKey("FK_collection_groups_collections_CollectionId", x => x.CollectionId, "collections", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_collection_groups_groups_GroupId", x => x.GroupId, "groups", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_collection_groups_GroupId", table: "collection_groups", column: "GroupId");

        migrationBuilder.CreateTable(
            name: "policies",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                OrganizationId = table.Column<Guid>(nullable: false),
                Type = table.Column<int>(nullable: false),
                Enabled = table.Column<bool>(nullable: false),
                Data = table.Column<string>(nullable: true),
                CreationDate = table.Column<DateTime>(nullable: false),
                RevisionDate = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_policies", x => x.Id);
                table.ForeignKey("FK_policies_organizations_OrganizationId", x => x.OrganizationId, "organizations", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_policies_OrganizationId_Type", table: "policies", columns: ["OrganizationId", "Type"], unique: true);

        // SQLite cannot make a column nullable in place: the table is rebuilt (https://www.sqlite.org/lang_altertable.html#otheralter).
        // Nothing references "ciphers" yet, so the copy keeps every row and no foreign key breaks.
        migrationBuilder.Sql("""
            CREATE TABLE "ciphers_new" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_ciphers" PRIMARY KEY,
                "UserId" TEXT NULL,
                "OrganizationId" TEXT NULL,
                "FolderId" TEXT NULL,
                "Type" INTEGER NOT NULL,
                "Favorite" INTEGER NOT NULL,
                "Data" BLOB NOT NULL,
                "CreationDate" TEXT NOT NULL,
                "RevisionDate" TEXT NOT NULL,
                "DeletedDate" TEXT NULL,
                "ArchivedDate" TEXT NULL,
                CONSTRAINT "FK_ciphers_users_UserId" FOREIGN KEY ("UserId") REFERENCES "users" ("Id") ON DELETE CASCADE,
                CONSTRAINT "FK_ciphers_organizations_OrganizationId" FOREIGN KEY ("OrganizationId") REFERENCES "organizations" ("Id") ON DELETE CASCADE,
                CONSTRAINT "FK_ciphers_folders_FolderId" FOREIGN KEY ("FolderId") REFERENCES "folders" ("Id") ON DELETE SET NULL
            );
            INSERT INTO "ciphers_new" ("Id", "UserId", "FolderId", "Type", "Favorite", "Data", "CreationDate", "RevisionDate", "DeletedDate", "ArchivedDate")
                SELECT "Id", "UserId", "FolderId", "Type", "Favorite", "Data", "CreationDate", "RevisionDate", "DeletedDate", "ArchivedDate" FROM "ciphers";
            DROP TABLE "ciphers";
            ALTER TABLE "ciphers_new" RENAME TO "ciphers";
            CREATE INDEX "IX_ciphers_UserId" ON "ciphers" ("UserId");
            CREATE INDEX "IX_ciphers_OrganizationId" ON "ciphers" ("OrganizationId");
            CREATE INDEX "IX_ciphers_FolderId" ON "ciphers" ("FolderId");
            """);

        migrationBuilder.CreateTable(
            name: "collection_ciphers",
            columns: table => new
            {
                CollectionId = table.Column<Guid>(nullable: false),
                CipherId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_collection_ciphers", x => new { x.CollectionId, x.CipherId });
                table.ForeignKey("FK_collection_ciphers_collections_CollectionId", x => x.CollectionId, "collections", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_collection_ciphers_ciphers_CipherId", x => x.CipherId, "ciphers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_collection_ciphers_CipherId", table: "collection_ciphers", column: "CipherId");

        migrationBuilder.CreateTable(
            name: "cipher_preferences",
            columns: table => new
            {
                UserId = table.Column<Guid>(nullable: false),
                CipherId = table.Column<Guid>(nullable: false),
                FolderId = table.Column<Guid>(nullable: true),
                Favorite = table.Column<bool>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_cipher_preferences", x => new { x.UserId, x.CipherId });
                table.ForeignKey("FK_cipher_preferences_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_cipher_preferences_ciphers_CipherId", x => x.CipherId, "ciphers", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_cipher_preferences_folders_FolderId", x => x.FolderId, "folders", "Id", onDelete: ReferentialAction.SetNull);
            });
        migrationBuilder.CreateIndex(name: "IX_cipher_preferences_CipherId", table: "cipher_preferences", column: "CipherId");
        migrationBuilder.CreateIndex(name: "IX_cipher_preferences_FolderId", table: "cipher_preferences", column: "FolderId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("cipher_preferences");
        migrationBuilder.DropTable("collection_ciphers");
        migrationBuilder.Sql("""
            CREATE TABLE "ciphers_old" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_ciphers" PRIMARY KEY,
                "UserId" TEXT NOT NULL,
                "FolderId" TEXT NULL,
                "Type" INTEGER NOT NULL,
                "Favorite" INTEGER NOT NULL,
                "Data" BLOB NOT NULL,
                "CreationDate" TEXT NOT NULL,
                "RevisionDate" TEXT NOT NULL,
                "DeletedDate" TEXT NULL,
                "ArchivedDate" TEXT NULL,
                CONSTRAINT "FK_ciphers_users_UserId" FOREIGN KEY ("UserId") REFERENCES "users" ("Id") ON DELETE CASCADE,
                CONSTRAINT "FK_ciphers_folders_FolderId" FOREIGN KEY ("FolderId") REFERENCES "folders" ("Id") ON DELETE SET NULL
            );
            INSERT INTO "ciphers_old" SELECT "Id", "UserId", "FolderId", "Type", "Favorite", "Data", "CreationDate", "RevisionDate", "DeletedDate", "ArchivedDate"
                FROM "ciphers" WHERE "UserId" IS NOT NULL;
            DROP TABLE "ciphers";
            ALTER TABLE "ciphers_old" RENAME TO "ciphers";
            CREATE INDEX "IX_ciphers_UserId" ON "ciphers" ("UserId");
            CREATE INDEX "IX_ciphers_FolderId" ON "ciphers" ("FolderId");
            """);
        migrationBuilder.DropTable("policies");
        migrationBuilder.DropTable("collection_groups");
        migrationBuilder.DropTable("group_members");
        migrationBuilder.DropTable("groups");
        migrationBuilder.DropTable("collection_members");
        migrationBuilder.DropTable("collections");
        migrationBuilder.DropTable("memberships");
        migrationBuilder.DropIndex(name: "IX_audit_events_OrganizationId_Date", table: "audit_events");
        migrationBuilder.DropColumn(name: "OrganizationId", table: "audit_events");
        migrationBuilder.DropColumn(name: "CollectionId", table: "audit_events");
        migrationBuilder.DropColumn(name: "MembershipId", table: "audit_events");
        migrationBuilder.DropColumn(name: "GroupId", table: "audit_events");
        migrationBuilder.DropColumn(name: "PolicyId", table: "audit_events");
        migrationBuilder.DropTable("organizations");
    }
}
