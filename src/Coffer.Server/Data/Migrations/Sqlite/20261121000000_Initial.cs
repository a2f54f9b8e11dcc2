using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Data.Migrations.Sqlite;

/// <summary>
/// The first schema. Migrations are written by hand (the EF design-time tools are not on our package feed) with
/// provider-neutral column types, so the PostgreSQL set can follow the same model.
/// </summary>
[DbContext(typeof(SqliteCofferDb))]
[Migration("20261121000000_Initial")]
public sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "users",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Email = table.Column<string>(maxLength: 256, nullable: false),
                Name = table.Column<string>(maxLength: 50, nullable: true),
                MasterPasswordHint = table.Column<string>(maxLength: 50, nullable: true),
                PasswordHash = table.Column<string>(nullable: false),
                Kdf = table.Column<int>(nullable: false),
                KdfIterations = table.Column<int>(nullable: false),
                KdfMemory = table.Column<int>(nullable: true),
                KdfParallelism = table.Column<int>(nullable: true),
                Key = table.Column<string>(nullable: false),
                PublicKey = table.Column<string>(nullable: false),
                PrivateKey = table.Column<string>(nullable: false),
                UserKeyId = table.Column<string>(maxLength: 32, nullable: true),
                SecurityStamp = table.Column<string>(maxLength: 64, nullable: false),
                CreationDate = table.Column<DateTime>(nullable: false),
                RevisionDate = table.Column<DateTime>(nullable: false),
                AccountRevisionDate = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_users", x => x.Id));
        migrationBuilder.CreateIndex(name: "IX_users_Email", table: "users", column: "Email", unique: true);

        migrationBuilder.CreateTable(
            name: "devices",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                Identifier = table.Column<string>(maxLength: 128, nullable: false),
                Name = table.Column<string>(maxLength: 128, nullable: false),
                Type = table.Column<int>(nullable: false),
                CreationDate = table.Column<DateTime>(nullable: false),
                RevisionDate = table.Column<DateTime>(nullable: false),
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
                Id = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                DeviceId = table.Column<Guid>(nullable: false),
                TokenHash = table.Column<string>(maxLength: 64, nullable: false),
                SecurityStamp = table.Column<string>(maxLength: 64, nullable: false),
                ClientId = table.Column<string>(maxLength: 64, nullable: false),
                CreationDate = table.Column<DateTime>(nullable: false),
                ExpirationDate = table.Column<DateTime>(nullable: false),
                ConsumedDate = table.Column<DateTime>(nullable: true),
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
                Id = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(nullable: false),
                CreationDate = table.Column<DateTime>(nullable: false),
                RevisionDate = table.Column<DateTime>(nullable: false),
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
                Id = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                FolderId = table.Column<Guid>(nullable: true),
                Type = table.Column<int>(nullable: false),
                Favorite = table.Column<bool>(nullable: false),
                Data = table.Column<byte[]>(nullable: false),
                CreationDate = table.Column<DateTime>(nullable: false),
                RevisionDate = table.Column<DateTime>(nullable: false),
                DeletedDate = table.Column<DateTime>(nullable: true),
                ArchivedDate = table.Column<DateTime>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ciphers", x => x.Id);
                table.ForeignKey("FK_ciphers_users_UserId", x => x.UserId, "users", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_ciphers_folders_FolderId", x => x.FolderId, "folders", "Id", onDelete: ReferentialAction.SetNull);
            });
        migrationBuilder.CreateIndex(name: "IX_ciphers_UserId", table: "ciphers", column: "UserId");
        migrationBuilder.CreateIndex(name: "IX_ciphers_FolderId", table: "ciphers", column: "FolderId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("ciphers");
        migrationBuilder.DropTable("folders");
        migrationBuilder.DropTable("refresh_tokens");
        migrationBuilder.DropTable("devices");
        migrationBuilder.DropTable("users");
    }
}
