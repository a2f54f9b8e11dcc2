using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Hosting;
using Microsoft.Data.Sqlite;
using MySql.Data.MySqlClient;
using Npgsql;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// The database behind a test server, on the provider the run asks for: SQLite in the data folder (the default), or
/// with <c>COFFER_TEST_PROVIDER=postgres</c> a fresh database in the cluster that <c>COFFER_TEST_POSTGRES</c> names, or
/// with <c>COFFER_TEST_PROVIDER=mysql</c> a fresh database on the MariaDB/MySQL server that <c>COFFER_TEST_MYSQL</c>
/// names (admin connection strings; <c>./test.sh</c> starts throwaway servers and sets them). The database is named
/// after the data folder, so a restart on the same folder and a second node beside it find the same data, and it is
/// dropped with the folder (<see cref="CofferFactory.DeleteFolder"/>).
/// </summary>
public static class TestDatabase
{
    private static readonly Lock Creating = new();

    // The folders this process made a database for, so deleting a folder also drops those of folders inside it.
    private static readonly HashSet<string> Folders = [];

    /// <summary>The provider of this run.</summary>
    public static DatabaseKind Provider { get; } = Environment.GetEnvironmentVariable("COFFER_TEST_PROVIDER")?.ToUpperInvariant() switch
    {
        "POSTGRES" => DatabaseKind.Postgres,
        "MYSQL" or "MARIADB" => DatabaseKind.MySql,
        _ => DatabaseKind.Sqlite,
    };

    public static bool IsPostgres => Provider == DatabaseKind.Postgres;

    public static bool IsMySql => Provider == DatabaseKind.MySql;

    /// <summary>A database server that several nodes share (PostgreSQL or MySQL), not the SQLite file.</summary>
    public static bool IsShared => Provider != DatabaseKind.Sqlite;

    /// <summary>The server's admin connection string (PostgreSQL or MySQL, as the run's provider).</summary>
    public static string AdminConnectionString => IsMySql
        ? Environment.GetEnvironmentVariable("COFFER_TEST_MYSQL") is { Length: > 0 } mysql
            ? mysql
            : throw new InvalidOperationException("COFFER_TEST_PROVIDER=mysql needs COFFER_TEST_MYSQL (an admin connection string); ./test.sh sets both.")
        : Environment.GetEnvironmentVariable("COFFER_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("COFFER_TEST_PROVIDER=postgres needs COFFER_TEST_POSTGRES (an admin connection string); ./test.sh sets both.");

    /// <summary>
    /// The <c>Coffer:…</c> settings that put a server over <paramref name="dataFolder"/> on this run's provider, creating
    /// its database if needed. Empty on SQLite. A node on a shared database needs a configured signing key; the
    /// folder keeps it, as a SQLite server keeps its generated one, so restarts and second nodes share it.
    /// </summary>
    public static Dictionary<string, string> SettingsFor(string dataFolder)
    {
        if (!IsShared)
        {
            return [];
        }

        // Servers started together on one folder would otherwise race to create its database and key file.
        lock (Creating)
        {
            return CreateIfMissing(dataFolder);
        }
    }

    private static Dictionary<string, string> CreateIfMissing(string dataFolder)
    {
        Folders.Add(Path.GetFullPath(dataFolder));
        var database = NameFor(dataFolder);
        if (IsMySql)
        {
            using var admin = new MySqlConnection(AdminConnectionString);
            admin.Open();
            using var create = new MySqlCommand($"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", admin);
            create.ExecuteNonQuery();
        }
        else
        {
            using var admin = new NpgsqlConnection(AdminConnectionString);
            admin.Open();
            using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
            exists.Parameters.AddWithValue("name", database);
            if (exists.ExecuteScalar() is null)
            {
                try
                {
                    using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
                    create.ExecuteNonQuery();
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
                {
                    // Another test process created it first.
                }
            }
        }

        var settings = new Dictionary<string, string>
        {
            ["Coffer:Database"] = ConnectionStringFor(dataFolder),
            ["Coffer:JwtSigningKey"] = Convert.ToBase64String(DataFolder.ReadOrCreateSecret(dataFolder, "jwt-signing.key", 64)),
        };
        if (IsMySql)
        {
            settings["Coffer:DatabaseProvider"] = "mysql";
        }

        return settings;
    }

    /// <summary>The server's database, opened beside the server as an attacker with database access would.</summary>
    public static DbConnection Open(string dataFolder)
    {
        DbConnection connection = Provider switch
        {
            DatabaseKind.Postgres => new NpgsqlConnection(ConnectionStringFor(dataFolder) + ";Pooling=false"),
            DatabaseKind.MySql => new MySqlConnection(ConnectionStringFor(dataFolder) + ";Pooling=false"),
            _ => new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataFolder, "coffer.db"), Pooling = false }.ToString()),
        };
        connection.Open();
        if (connection is MySqlConnection)
        {
            // Tests write their SQL once for every provider, identifiers in double quotes ("Sequence"), which MySQL
            // reads as identifiers only in ANSI_QUOTES mode (the server itself never relies on it).
            using var ansi = new MySqlCommand("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',ANSI_QUOTES')", (MySqlConnection)connection);
            ansi.ExecuteNonQuery();
        }

        return connection;
    }

    /// <summary>
    /// Drops the PostgreSQL or MySQL database of <paramref name="dataFolder"/> and of every folder inside it that had one (a
    /// restore target, say), closing whatever still uses them.
    /// </summary>
    public static void Drop(string dataFolder)
    {
        if (!IsShared)
        {
            return;
        }

        var root = Path.GetFullPath(dataFolder);
        List<string> inside;
        lock (Creating)
        {
            inside = [.. Folders.Where(f => f == root || f.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))];
            Folders.ExceptWith(inside);
        }

        if (IsMySql)
        {
            // Idle pooled connections hold no metadata lock, but a server still running would: close this process's own.
            MySqlConnection.ClearAllPools();
            using var mysql = new MySqlConnection(AdminConnectionString);
            mysql.Open();
            foreach (var folder in inside.Append(root).Distinct())
            {
                using var drop = new MySqlCommand($"DROP DATABASE IF EXISTS `{NameFor(folder)}`", mysql);
                drop.ExecuteNonQuery();
            }

            return;
        }

        using var admin = new NpgsqlConnection(AdminConnectionString);
        admin.Open();
        foreach (var folder in inside.Append(root).Distinct())
        {
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{NameFor(folder)}\" WITH (FORCE)", admin);
            drop.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Everything the server stored, as an attacker holding the storage would read it: on SQLite the bytes of every
    /// file in the data folder (database, WAL, keys); on PostgreSQL and MySQL every table's rows (bytea raw, other values as
    /// text) plus the files of the data folder.
    /// </summary>
    public static async Task<List<(string Name, byte[] Bytes)>> ContentsAsync(string dataFolder)
    {
        var contents = Directory.EnumerateFiles(dataFolder, "*", SearchOption.AllDirectories).Select(f => (Path.GetFileName(f), ReadShared(f))).ToList();
        if (!IsShared)
        {
            return contents;
        }

        await using var db = Open(dataFolder);
        var tables = new List<string>();
        await using (var list = db.CreateCommand())
        {
            list.CommandText = IsMySql ? "SHOW TABLES" : "SELECT tablename FROM pg_tables WHERE schemaname = 'public'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            using var bytes = new MemoryStream();
            await using var select = db.CreateCommand();
            select.CommandText = IsMySql ? $"SELECT * FROM `{table}`" : $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.IsDBNull(i) ? [] : reader.GetValue(i) is byte[] raw ? raw
                        : Encoding.UTF8.GetBytes(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!);
                    bytes.Write(value);
                    bytes.WriteByte(0);
                }
            }

            contents.Add((table, bytes.ToArray()));
        }

        return contents;
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static string ConnectionStringFor(string dataFolder) => IsMySql
        ? new MySqlConnectionStringBuilder(AdminConnectionString) { Database = NameFor(dataFolder) }.ConnectionString
        : new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = NameFor(dataFolder) }.ConnectionString;

    /// <summary>The database server's host and port, from <see cref="AdminConnectionString"/>.</summary>
    public static (string Host, int Port) ServerEndpoint => IsMySql
        ? (new MySqlConnectionStringBuilder(AdminConnectionString).Server, (int)new MySqlConnectionStringBuilder(AdminConnectionString).Port)
        : (new NpgsqlConnectionStringBuilder(AdminConnectionString).Host!, new NpgsqlConnectionStringBuilder(AdminConnectionString).Port);

    /// <summary><see cref="ConnectionStringFor"/>, through a relay on 127.0.0.1:<paramref name="port"/> (<see cref="TcpProxy"/>).</summary>
    public static string ConnectionStringVia(string dataFolder, int port) => IsMySql
        ? new MySqlConnectionStringBuilder(ConnectionStringFor(dataFolder)) { Server = "127.0.0.1", Port = (uint)port }.ConnectionString
        : new NpgsqlConnectionStringBuilder(ConnectionStringFor(dataFolder)) { Host = "127.0.0.1", Port = port }.ConnectionString;

    private static string NameFor(string dataFolder) =>
        "coffer_test_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataFolder))))[..32];
}

// Facts that hold on some providers only. Each carries, beside its attribute, the trait <c>[Trait("Provider", …)]</c>
// that ./test.sh's three passes filter on, so no pass reports a skipped test: SqliteOnly is filtered out of the
// PostgreSQL and MySQL passes, PostgresOnly out of the SQLite and MySQL passes, MySqlOnly out of the SQLite and
// PostgreSQL passes, SharedOnly out of the SQLite pass. Run on another provider anyway, the fact is skipped.

/// <summary>A fact about SQLite itself (the database file in the data folder). Trait <c>Provider=SqliteOnly</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteFactAttribute : FactAttribute
{
    public SqliteFactAttribute()
    {
        if (TestDatabase.IsShared)
        {
            Skip = "A fact about the SQLite file; this run uses a database server.";
        }
    }
}

/// <summary>A fact about PostgreSQL itself (advisory locks, its catalog). Trait <c>Provider=PostgresOnly</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!TestDatabase.IsPostgres)
        {
            Skip = "A fact about PostgreSQL; this run uses another database.";
        }
    }
}

/// <summary>A fact about MySQL or MariaDB itself (GET_LOCK, its error numbers). Trait <c>Provider=MySqlOnly</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MySqlFactAttribute : FactAttribute
{
    public MySqlFactAttribute()
    {
        if (!TestDatabase.IsMySql)
        {
            Skip = "A fact about MySQL or MariaDB; this run uses another database.";
        }
    }
}

/// <summary>
/// A fact about concurrent transactions on a database server (PostgreSQL or MySQL); SQLite's commits run one at a time.
/// Trait <c>Provider=SharedOnly</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (!TestDatabase.IsShared)
        {
            Skip = "A fact about concurrent transactions on a database server; this run uses SQLite, whose commits run one at a time.";
        }
    }
}
