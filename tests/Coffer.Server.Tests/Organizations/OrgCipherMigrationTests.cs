using System.Globalization;
using System.Text;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// The Organizations migration rebuilds the SQLite ciphers table (its UserId becomes nullable): a database at the
/// previous migration, with personal items, folders and items in the trash, upgrades with every item intact.
/// </summary>
public sealed class OrgCipherMigrationTests
{
    private const string PreviousMigration = "20261121050000_Admin";

    [Fact]
    public async Task SqliteDatabaseAtThePreviousMigration_UpgradesWithEveryPersonalCipherIntact()
    {
        var folder = CofferFactory.CreateTempFolder();
        try
        {
            var path = Path.Combine(folder, "coffer.db");
            var options = new DbContextOptionsBuilder<SqliteCofferDb>()
                .UseSqlite(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString())
                .AddInterceptors(SqlitePragmas.Instance)
                .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning))
                .Options;
            var users = new[] { Guid.NewGuid(), Guid.NewGuid() };
            var expected = new List<(Guid Id, Guid UserId, Guid? FolderId, bool Favorite, string Data, bool Deleted)>();
            await using (var db = new SqliteCofferDb(options))
            {
                await db.GetService<IMigrator>().MigrateAsync(PreviousMigration);
                foreach (var user in users)
                {
                    await InsertRowAsync(db, "users", new() { ["Id"] = Text(user), ["Email"] = $"{user:N}@example.com" });
                    var folderId = Guid.NewGuid();
                    await InsertRowAsync(db, "folders", new() { ["Id"] = Text(folderId), ["UserId"] = Text(user), ["Name"] = Fake.EncString() });
                    for (var i = 0; i < 25; i++)
                    {
                        var id = Guid.NewGuid();
                        var data = $$$"""{"name":"{{{Fake.EncString()}}}","notes":null,"reprompt":0,"login":{"password":"{{{Fake.EncString()}}}"}}""";
                        Guid? inFolder = i % 3 == 0 ? folderId : null;
                        await InsertRowAsync(db, "ciphers", new()
                        {
                            ["Id"] = Text(id),
                            ["UserId"] = Text(user),
                            ["FolderId"] = inFolder is { } f ? Text(f) : null,
                            ["Type"] = 1L,
                            ["Favorite"] = i % 2 == 0 ? 1L : 0L,
                            ["Data"] = Encoding.UTF8.GetBytes(data),
                            ["DeletedDate"] = i % 5 == 0 ? "2026-11-30 10:00:00.1234567" : null,
                        });
                        expected.Add((id, user, inFolder, i % 2 == 0, data, i % 5 == 0));
                    }
                }
            }

            await using (var db = new SqliteCofferDb(options))
            {
                await db.Database.MigrateAsync();
                var ciphers = await db.Ciphers.AsNoTracking().ToListAsync();
                Assert.Equal(expected.Count, ciphers.Count);
                foreach (var row in expected)
                {
                    var cipher = Assert.Single(ciphers, c => c.Id == row.Id);
                    Assert.Equal(row.UserId, cipher.UserId);
                    Assert.Null(cipher.OrganizationId);
                    Assert.Equal(row.FolderId, cipher.FolderId);
                    Assert.Equal(row.Favorite, cipher.Favorite);
                    Assert.Equal(row.Data, Encoding.UTF8.GetString(cipher.Data));
                    Assert.Equal(row.Deleted, cipher.DeletedDate is not null);
                }

                // The rebuilt table kept its foreign keys: deleting a folder still empties it, deleting a user its items.
                await db.Folders.Where(f => f.UserId == users[0]).ExecuteDeleteAsync();
                Assert.DoesNotContain(await db.Ciphers.Where(c => c.UserId == users[0]).Select(c => c.FolderId).ToListAsync(), f => f is not null);
                await db.Users.Where(u => u.Id == users[1]).ExecuteDeleteAsync();
                Assert.Equal(25, await db.Ciphers.CountAsync());
                Assert.Empty(await db.Database.SqlQueryRaw<string>("SELECT \"table\" AS \"Value\" FROM pragma_foreign_key_check").ToListAsync());
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            CofferFactory.DeleteFolder(folder);
        }
    }

    private static string Text(Guid id) => id.ToString().ToUpperInvariant();

    /// <summary>
    /// Inserts a row with the given values, and for every other NOT NULL column without default a value of its type
    /// (the others keep their defaults):
    /// the schema is that of the old migration, which today's model no longer describes.
    /// </summary>
    private static async Task InsertRowAsync(SqliteCofferDb db, string table, Dictionary<string, object?> values)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        var columns = new List<(string Name, string Type, bool Required)>();
        await using (var info = connection.CreateCommand())
        {
            info.CommandText = $"SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('{table}')";
            await using var reader = await info.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2) == 1 && reader.IsDBNull(3)));
            }
        }

        await using var insert = connection.CreateCommand();
        var names = new List<string>();
        foreach (var (name, type, required) in columns)
        {
            if (!values.ContainsKey(name) && !required)
            {
                continue;
            }

            object? value = values.TryGetValue(name, out var given) ? given
                : type.ToUpperInvariant() switch
                {
                    "INTEGER" => 0L,
                    "BLOB" => new byte[] { 0 },
                    "REAL" => 0.0,
                    _ when name.EndsWith("Date", StringComparison.Ordinal) => "2026-11-21 10:00:00.1234567",
                    _ => "x-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture),
                };
            names.Add(name);
            insert.Parameters.AddWithValue("$p" + names.Count, value ?? DBNull.Value);
        }

        insert.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", names.Select(n => $"\"{n}\""))}) VALUES ({string.Join(", ", names.Select((_, i) => "$p" + (i + 1)))})";
        await insert.ExecuteNonQueryAsync();
    }
}
