using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// Each provider's hand-written migrations build exactly the model's tables and columns (the suite runs on both
/// providers, so a change migrated for one and forgotten for the other fails here), and the SQLite migration ids
/// stay those that existing databases have recorded.
/// </summary>
public sealed class MigrationTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task Migrations_BuildEveryTableAndColumnOfTheModel_AndNothingElse()
    {
        factory.CreateClient().Dispose();
        await using var scope = factory.Services.CreateAsyncScope();
        var model = scope.ServiceProvider.GetRequiredService<CofferDb>().Model;
        var expected = model.GetEntityTypes()
            .SelectMany(e => e.GetProperties().Select(p => $"{e.GetTableName()}.{p.GetColumnName()}"))
            .ToList();
        if (TestDatabase.IsMySql)
        {
            // Live sync's table on MySQL, outside the model: the bus reads and writes it with SQL of its own.
            expected.AddRange(["notifications.Created", "notifications.Id", "notifications.Payload"]);
        }

        expected.Sort(StringComparer.Ordinal);
        var actual = new List<string>();
        using var db = factory.OpenDatabase();
        await using var command = db.CreateCommand();
        command.CommandText = TestDatabase.Provider switch
        {
            DatabaseKind.Postgres => "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'",
            DatabaseKind.MySql => "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = DATABASE()",
            _ => "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
        };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var table = reader.GetString(0);
            if (!table.StartsWith("__EF", StringComparison.Ordinal) && !table.StartsWith("sqlite_", StringComparison.Ordinal))
            {
                actual.Add($"{table}.{reader.GetString(1)}");
            }
        }

        Assert.Equal(expected, actual.Order(StringComparer.Ordinal));
    }

    // SQLite's constraints are unnamed; on the database servers every index, alternate key and foreign key of the
    // model must exist under its model name (MySQL's migration was generated once from the model, PostgreSQL's grew).
    [SharedFact]
    [Trait("Provider", "SharedOnly")]
    public async Task Migrations_BuildEveryIndexAndForeignKeyOfTheModel()
    {
        factory.CreateClient().Dispose();
        await using var scope = factory.Services.CreateAsyncScope();
        var model = scope.ServiceProvider.GetRequiredService<CofferDb>().Model;
        var indexes = model.GetEntityTypes().SelectMany(e => e.GetIndexes().Select(i => i.GetDatabaseName())
            .Concat(e.GetKeys().Where(k => !k.IsPrimaryKey()).Select(k => k.GetName()))).OfType<string>().ToHashSet();
        var foreignKeys = model.GetEntityTypes().SelectMany(e => e.GetForeignKeys().Select(f => f.GetConstraintName())).OfType<string>().ToHashSet();

        using var db = factory.OpenDatabase();
        var actualIndexes = await NamesAsync(db, TestDatabase.IsMySql
            ? "SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE()"
            : "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'");
        var actualForeignKeys = await NamesAsync(db, TestDatabase.IsMySql
            ? "SELECT constraint_name FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE()"
            : "SELECT conname FROM pg_constraint WHERE contype = 'f'");

        Assert.NotEmpty(indexes);
        Assert.NotEmpty(foreignKeys);
        Assert.Empty(indexes.Except(actualIndexes).Order(StringComparer.Ordinal));
        Assert.Empty(foreignKeys.Except(actualForeignKeys).Order(StringComparer.Ordinal));
        Assert.Empty(actualForeignKeys.Except(foreignKeys).Order(StringComparer.Ordinal));
    }

    private static async Task<HashSet<string>> NamesAsync(System.Data.Common.DbConnection db, string sql)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    [Fact]
    public void SqliteMigrationIds_StayThoseExistingDatabasesRecorded()
    {
        // The history table keys by id; a renamed one would be applied again on an existing database and fail.
        string[] recorded =
        [
            "20261121000000_Initial", "20261121010000_AuditLog", "20261121020000_TwoFactor",
            "20261121030000_AccountLifecycle", "20261121040000_AbuseDefences", "20261121050000_Admin",
        ];
        using var db = new SqliteCofferDb(new DbContextOptionsBuilder<SqliteCofferDb>().UseSqlite("Data Source=:memory:").Options);

        Assert.Equal(recorded, db.Database.GetMigrations().Take(recorded.Length));
    }
}
