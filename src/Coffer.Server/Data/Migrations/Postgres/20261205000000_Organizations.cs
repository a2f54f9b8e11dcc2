using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Postgres;

/// <summary>
/// Sharing (<c>bitwarden-organizations.md</c> §12): organizations, memberships, collections and their access by member
/// and by group, groups, policies, each organization item's collections, and each member's own folder and favourite
/// for organization items. <c>ciphers.UserId</c> becomes nullable and <c>ciphers.OrganizationId</c> is added: an
/// organization's item belongs to no user.
/// </summary>
[DbContext(typeof(PostgresCofferDb))]
[Migration("20261205000000_Organizations")]
public sealed class Organizations : Migration
{
    private const string Time = "timestamp with time zone";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<Guid>(name: "OrganizationId", table: "audit_events", type: "uuid", nullable: true);
        migrationBuilder.AddColumn<Guid>(name: "CollectionId", table: "audit_events", type: "uuid", nullable: true);
        migrationBuilder.AddColumn<Guid>(name: "MembershipId", table: "audit_events", type: "uuid", nullable: true);
        migrationBuilder.AddColumn<Guid>(name: "GroupId", table: "audit_events", type: "uuid", nullable: true);
        migrationBuilder.AddColumn<Guid>(name: "PolicyId", table: "audit_events", type: "uuid", nullable: true);
        migrationBuilder.CreateIndex(name: "IX_audit_events_OrganizationId_Date", table: "audit_events", columns: ["OrganizationId", "Date"]);

        migrationBuilder.CreateTable(
            name: "organizations",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                Name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                BillingEmail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                PublicKey = table.Column<string>(type: "text", nullable: true),
                PrivateKey = table.Column<string>(type: "text", nullable: true),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                RevisionDate = table.Column<DateTime>(type: Time, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_organizations", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "memberships",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                UserId = table.Column<Guid>(type: "uuid", nullable: true),
                Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                Key = table.Column<string>(type: "text", nullable: true),
                Status = table.Column<int>(type: "integer", nullable: false),
                StatusBeforeRevoke = table.Column<int>(type: "integer", nullable: true),
                Type = table.Column<int>(type: "integer", nullable: false),
                Permissions = table.Column<string>(type: "text", nullable: true),
                ExternalId = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                InvitedByEmail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                RevisionDate = table.Column<DateTime>(type: Time, nullable: false),
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
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                Name = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                ExternalId = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                RevisionDate = table.Column<DateTime>(type: Time, nullable: false),
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
                CollectionId = table.Column<Guid>(type: "uuid", nullable: false),
                MembershipId = table.Column<Guid>(type: "uuid", nullable: false),
                ReadOnly = table.Column<bool>(type: "boolean", nullable: false),
                HidePasswords = table.Column<bool>(type: "boolean", nullable: false),
                Manage = table.Column<bool>(type: "boolean", nullable: false),
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
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                ExternalId = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                RevisionDate = table.Column<DateTime>(type: Time, nullable: false),
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
                GroupId = table.Column<Guid>(type: "uuid", nullable: false),
                MembershipId = table.Column<Guid>(type: "uuid", nullable: false),
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
                CollectionId = table.Column<Guid>(type: "uuid", nullable: false),
                GroupId = table.Column<Guid>(type: "uuid", nullable: false),
                ReadOnly = table.Column<bool>(type: "boolean", nullable: false),
                HidePasswords = table.Column<bool>(type: "boolean", nullable: false),
                Manage = table.Column<bool>(type: "boolean", nullable: false),
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
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                Type = table.Column<int>(type: "integer", nullable: false),
                Enabled = table.Column<bool>(type: "boolean", nullable: false),
                Data = table.Column<string>(type: "text", nullable: true),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                RevisionDate = table.Column<DateTime>(type: Time, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_policies", x => x.Id);
                table.ForeignKey("FK_policies_organizations_OrganizationId", x => x.OrganizationId, "organizations", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_policies_OrganizationId_Type", table: "policies", columns: ["OrganizationId", "Type"], unique: true);

        migrationBuilder.AlterColumn<Guid>(name: "UserId", table: "ciphers", type: "uuid", nullable: true, oldClrType: typeof(Guid), oldType: "uuid");
        migrationBuilder.AddColumn<Guid>(name: "OrganizationId", table: "ciphers", type: "uuid", nullable: true);
        migrationBuilder.CreateIndex(name: "IX_ciphers_OrganizationId", table: "ciphers", column: "OrganizationId");
        migrationBuilder.AddForeignKey(name: "FK_ciphers_organizations_OrganizationId", table: "ciphers", column: "OrganizationId", principalTable: "organizations", principalColumn: "Id", onDelete: ReferentialAction.Cascade);

        migrationBuilder.CreateTable(
            name: "collection_ciphers",
            columns: table => new
            {
                CollectionId = table.Column<Guid>(type: "uuid", nullable: false),
                CipherId = table.Column<Guid>(type: "uuid", nullable: false),
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
                UserId = table.Column<Guid>(type: "uuid", nullable: false),
                CipherId = table.Column<Guid>(type: "uuid", nullable: false),
                FolderId = table.Column<Guid>(type: "uuid", nullable: true),
                Favorite = table.Column<bool>(type: "boolean", nullable: false),
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
        migrationBuilder.DropForeignKey(name: "FK_ciphers_organizations_OrganizationId", table: "ciphers");
        migrationBuilder.DropIndex(name: "IX_ciphers_OrganizationId", table: "ciphers");
        migrationBuilder.Sql("DELETE FROM ciphers WHERE \"UserId\" IS NULL");
        migrationBuilder.DropColumn(name: "OrganizationId", table: "ciphers");
        migrationBuilder.AlterColumn<Guid>(name: "UserId", table: "ciphers", type: "uuid", nullable: false, oldClrType: typeof(Guid), oldType: "uuid", oldNullable: true);
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
