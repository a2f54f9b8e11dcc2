using MySql.Data.MySqlClient;

namespace Coffer.E2E.Tests.Cluster;

/// <summary>
/// The empty database a test cluster's nodes share, on the provider the run asks for as the server suite does:
/// PostgreSQL unless <c>COFFER_TEST_PROVIDER=mysql</c> (or <c>mariadb</c>), then a new database on the MySQL or
/// MariaDB server that <c>COFFER_TEST_MYSQL</c> names (an admin connection string; test.sh starts a throwaway MariaDB
/// and sets both). Either is dropped on disposal.
/// </summary>
public sealed class ClusterDatabase : IAsyncDisposable
{
    private readonly PostgresDatabase? postgres;
    private readonly string? mysqlAdmin;
    private readonly string? mysqlName;

    private ClusterDatabase(PostgresDatabase? postgres, string? mysqlAdmin, string? mysqlName)
    {
        this.postgres = postgres;
        this.mysqlAdmin = mysqlAdmin;
        this.mysqlName = mysqlName;
    }

    /// <summary>Whether this run's cluster is on MySQL or MariaDB.</summary>
    public static bool IsMySql => Environment.GetEnvironmentVariable("COFFER_TEST_PROVIDER")?.ToUpperInvariant() is "MYSQL" or "MARIADB";

    /// <summary>What the database is, for test output.</summary>
    public string Kind => postgres is null ? "MariaDB/MySQL" : "PostgreSQL";

    /// <summary>The settings every node gets for it: <c>Coffer__Database</c>, and on MySQL <c>Coffer__DatabaseProvider</c>.</summary>
    public IReadOnlyDictionary<string, string?> NodeSettings => postgres is { } database
        ? new Dictionary<string, string?> { ["Coffer__Database"] = database.ConnectionString }
        : new Dictionary<string, string?>
        {
            ["Coffer__Database"] = new MySqlConnectionStringBuilder(mysqlAdmin) { Database = mysqlName }.ConnectionString,
            ["Coffer__DatabaseProvider"] = "mysql",
        };

    public static async Task<ClusterDatabase> CreateAsync(string prefix)
    {
        if (!IsMySql)
        {
            return new ClusterDatabase(await PostgresDatabase.CreateAsync(prefix), null, null);
        }

        var admin = Environment.GetEnvironmentVariable("COFFER_TEST_MYSQL") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("COFFER_TEST_PROVIDER=mysql needs COFFER_TEST_MYSQL (an admin connection string); ./test.sh sets both.");
        var name = $"{prefix}_{Guid.NewGuid():N}";
        // The binary collation Coffer's migration sets as well: ids and hashes compare exactly.
        await ExecuteAsync(admin, $"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        return new ClusterDatabase(null, admin, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
        else
        {
            await ExecuteAsync(mysqlAdmin!, $"DROP DATABASE IF EXISTS `{mysqlName}`");
        }
    }

    private static async Task ExecuteAsync(string adminConnectionString, string sql)
    {
        await using var connection = new MySqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
