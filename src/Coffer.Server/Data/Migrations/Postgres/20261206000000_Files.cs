using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Postgres;

/// <summary>
/// Files (<c>bitwarden-sharing-features.md</c> §2.1, §3.1): attachments of items, Sends, and the blob store that keeps
/// the encrypted files in the database (<c>blobs</c>, <c>blob_chunks</c>; Files/PostgresBlobStore).
/// </summary>
[DbContext(typeof(PostgresCofferDb))]
[Migration("20261206000000_Files")]
public sealed class Files : Migration
{
    private const string Time = "timestamp with time zone";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "attachments",
            columns: table => new
            {
                Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                CipherId = table.Column<Guid>(type: "uuid", nullable: false),
                FileName = table.Column<string>(type: "text", nullable: false),
                Key = table.Column<string>(type: "text", nullable: true),
                Size = table.Column<long>(type: "bigint", nullable: false),
                Uploaded = table.Column<bool>(type: "boolean", nullable: false),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_attachments", x => x.Id);
                table.ForeignKey("FK_attachments_ciphers_CipherId", x => x.CipherId, "ciphers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_attachments_CipherId", table: "attachments", column: "CipherId");

        migrationBuilder.CreateTable(
            name: "sends",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                UserId = table.Column<Guid>(type: "uuid", nullable: false),
                Type = table.Column<int>(type: "integer", nullable: false),
                AuthType = table.Column<int>(type: "integer", nullable: false),
                Name = table.Column<string>(type: "text", nullable: false),
                Notes = table.Column<string>(type: "text", nullable: true),
                Key = table.Column<string>(type: "text", nullable: false),
                Data = table.Column<string>(type: "text", nullable: false),
                FileId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                FileSize = table.Column<long>(type: "bigint", nullable: true),
                FileUploaded = table.Column<bool>(type: "boolean", nullable: false),
                PasswordHash = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                MaxAccessCount = table.Column<int>(type: "integer", nullable: true),
                AccessCount = table.Column<int>(type: "integer", nullable: false),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
                RevisionDate = table.Column<DateTime>(type: Time, nullable: false),
                ExpirationDate = table.Column<DateTime>(type: Time, nullable: true),
                DeletionDate = table.Column<DateTime>(type: Time, nullable: false),
                Disabled = table.Column<bool>(type: "boolean", nullable: false),
                HideEmail = table.Column<bool>(type: "boolean", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_sends", x => x.Id);
                table.ForeignKey("FK_sends_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_sends_UserId", table: "sends", column: "UserId");
        migrationBuilder.CreateIndex(name: "IX_sends_DeletionDate", table: "sends", column: "DeletionDate");

        migrationBuilder.CreateTable(
            name: "blobs",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                Key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                Length = table.Column<long>(type: "bigint", nullable: false),
                CreationDate = table.Column<DateTime>(type: Time, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_blobs", x => x.Id));
        migrationBuilder.CreateIndex(name: "IX_blobs_Key", table: "blobs", column: "Key", unique: true);

        migrationBuilder.CreateTable(
            name: "blob_chunks",
            columns: table => new
            {
                BlobId = table.Column<Guid>(type: "uuid", nullable: false),
                Sequence = table.Column<int>(type: "integer", nullable: false),
                Data = table.Column<byte[]>(type: "bytea", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_blob_chunks", x => new { x.BlobId, x.Sequence });
                table.ForeignKey("FK_blob_chunks_blobs_BlobId", x => x.BlobId, "blobs", "Id", onDelete: ReferentialAction.Cascade);
            });
        // Chunks are written once and read in full; compressing encrypted bytes gains nothing.
        migrationBuilder.Sql("""ALTER TABLE blob_chunks ALTER COLUMN "Data" SET STORAGE EXTERNAL""");
    }
}
