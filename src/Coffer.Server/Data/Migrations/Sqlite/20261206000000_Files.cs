using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Sqlite;

/// <summary>
/// Files (<c>bitwarden-sharing-features.md</c> §2.1, §3.1): attachments of items, Sends, and the blob store tables
/// (<c>blobs</c>, <c>blob_chunks</c>), which only PostgreSQL uses: with SQLite files live in the data folder.
/// </summary>
[DbContext(typeof(SqliteCofferDb))]
[Migration("20261206000000_Files")]
public sealed class Files : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "attachments",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 32, nullable: false),
                CipherId = table.Column<Guid>(nullable: false),
                FileName = table.Column<string>(nullable: false),
                Key = table.Column<string>(nullable: true),
                Size = table.Column<long>(nullable: false),
                Uploaded = table.Column<bool>(nullable: false),
                CreationDate = table.Column<DateTime>(nullable: false),
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
                Id = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                Type = table.Column<int>(nullable: false),
                AuthType = table.Column<int>(nullable: false),
                Name = table.Column<string>(nullable: false),
                Notes = table.Column<string>(nullable: true),
                Key = table.Column<string>(nullable: false),
                Data = table.Column<string>(nullable: false),
                FileId = table.Column<string>(maxLength: 32, nullable: true),
                FileSize = table.Column<long>(nullable: true),
                FileUploaded = table.Column<bool>(nullable: false),
                PasswordHash = table.Column<string>(maxLength: 256, nullable: true),
                MaxAccessCount = table.Column<int>(nullable: true),
                AccessCount = table.Column<int>(nullable: false),
                CreationDate = table.Column<DateTime>(nullable: false),
                RevisionDate = table.Column<DateTime>(nullable: false),
                ExpirationDate = table.Column<DateTime>(nullable: true),
                DeletionDate = table.Column<DateTime>(nullable: false),
                Disabled = table.Column<bool>(nullable: false),
                HideEmail = table.Column<bool>(nullable: false),
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
                Id = table.Column<Guid>(nullable: false),
                Key = table.Column<string>(maxLength: 200, nullable: true),
                Length = table.Column<long>(nullable: false),
                CreationDate = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_blobs", x => x.Id));
        migrationBuilder.CreateIndex(name: "IX_blobs_Key", table: "blobs", column: "Key", unique: true);

        migrationBuilder.CreateTable(
            name: "blob_chunks",
            columns: table => new
            {
                BlobId = table.Column<Guid>(nullable: false),
                Sequence = table.Column<int>(nullable: false),
                Data = table.Column<byte[]>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_blob_chunks", x => new { x.BlobId, x.Sequence });
                table.ForeignKey("FK_blob_chunks_blobs_BlobId", x => x.BlobId, "blobs", "Id", onDelete: ReferentialAction.Cascade);
            });
    }
}
