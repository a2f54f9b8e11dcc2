using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Coffer.Server.Data;

public static class DatabaseSetup
{
    /// <summary>
    /// Registers <see cref="CofferDb"/> on the provider <c>Coffer:Database</c> chooses: SQLite in the data folder when
    /// empty, PostgreSQL otherwise (then also a singleton <see cref="NpgsqlDataSource"/>, which EF uses and which other
    /// services may use for their own connections; it is named after its database, the pool name its metrics carry instead
    /// of the connection string). The provider is read here because the context type depends on it;
    /// a malformed value is reported by <see cref="ServerOptionsValidator"/> at start, never echoed.
    /// </summary>
    public static IServiceCollection AddCofferDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ServerOptions.Section);
        var settings = new ServerOptions { Database = section[nameof(ServerOptions.Database)], DatabaseProvider = section[nameof(ServerOptions.DatabaseProvider)] };
        switch (settings.Provider)
        {
            case DatabaseKind.Sqlite:
                return services.AddSqlite();
            case DatabaseKind.MySql:
                return services.AddMySql(settings.Database!);
        }

        var database = settings.Database!;

        var connectionString = WithShortConnectTimeout(PostgresConnection.TryParse(database, out _));
        services.AddSingleton(_ => connectionString is null
            ? throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), ["Coffer:Database is not a valid PostgreSQL connection string or URL."])
            : new NpgsqlDataSourceBuilder(connectionString) { Name = new NpgsqlConnectionStringBuilder(connectionString).Database }.Build());
        services.AddDbContextPool<CofferDb, PostgresCofferDb>((provider, options) =>
            options.UseNpgsql(provider.GetRequiredService<NpgsqlDataSource>(), npgsql => npgsql.UseParameterizedCollectionMode(OneCollectionParameter))
                .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)));
        return services;
    }

    /// <summary>
    /// Npgsql waits 15 s for a connection by default; while the database is down every request would hang that long
    /// before its 503 (Hosting/DatabaseOutage). Three seconds, unless the connection string sets its own Timeout.
    /// </summary>
    private static string? WithShortConnectTimeout(string? connectionString)
    {
        if (connectionString is null || new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey("Timeout"))
        {
            return connectionString;
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 3 }.ConnectionString;
    }

    /// <summary>
    /// <c>ids.Contains(x.Id)</c> sends the list as ONE parameter (<c>json_each(@ids)</c> on SQLite, <c>= ANY(@ids)</c> on
    /// PostgreSQL). EF Core 10's default is one parameter per element, which fails beyond the providers' parameter
    /// limits (32,766 on SQLite, 65,535 on PostgreSQL): the list and sync of a 100,000-item vault answered 500
    /// (the attachments of the listed items are looked up by id; bench/results/scale.md).
    /// </summary>
    private const ParameterTranslationMode OneCollectionParameter = ParameterTranslationMode.Parameter;

    /// <summary>
    /// MySQL or MariaDB through Oracle's provider (MySql.EntityFrameworkCore, GPLv2 with the Universal FOSS Exception).
    /// It has no single-parameter translation of <c>ids.Contains(x.Id)</c>: a list becomes <c>IN (@p1, …)</c>, which
    /// Connector/NET fills in on the client, so there is no parameter limit to reach.
    /// </summary>
    private static IServiceCollection AddMySql(this IServiceCollection services, string database)
    {
        var connectionString = MySqlConnectionString.TryParse(database, out _);
        return services.AddDbContextPool<CofferDb, MySqlCofferDb>(options =>
            options.UseMySQL(connectionString ?? throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), ["Coffer:Database is not a valid MySQL connection string or URL."]))
                .AddInterceptors(MariaDbCompatibility.Instance)
                .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)));
    }

    private static IServiceCollection AddSqlite(this IServiceCollection services) =>
        services.AddDbContextPool<CofferDb, SqliteCofferDb>((provider, options) =>
        {
            var path = provider.GetRequiredService<IOptions<ServerOptions>>().Value.DatabasePath;
            var connection = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Pooling = true,
                // Never create the file once running: if the data folder's volume goes away, a fresh empty database
                // in its place would take writes that vanish when it returns. Requests answer 503 instead
                // (Hosting/DatabaseOutage); only the migration at start creates the file.
                Mode = SqliteOpenMode.ReadWrite,
                // Waits (instead of failing) while another writer holds the lock; seconds.
                DefaultTimeout = 30,
            };
            options.UseSqlite(connection.ToString(), sqlite => sqlite.UseParameterizedCollectionMode(OneCollectionParameter))
                .AddInterceptors(SqlitePragmas.Instance)
                // Migrations are hand-written without a model snapshot (see Migrations/), so EF cannot diff them.
                .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        });

    /// <summary>Applies pending migrations at start (see below).</summary>
    public static Task MigrateCofferDatabaseAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.MigrateCofferDatabaseAsync();
    }

    /// <summary>
    /// Applies the provider's pending migrations; also for the command-line tools (<see cref="Admin.ServerCommands"/>).
    /// Nodes that start together on one database migrate it once and the others find it done: on SQLite EF Core's own
    /// migration lock (a lock table) covers the whole run; on PostgreSQL EF's lock is a table lock that ends with each
    /// migration's transaction, so with two or more pending migrations a waiting node could apply the second one again
    /// (a duplicate key in the history table). There a session-scoped advisory lock on a connection of its own is held
    /// around the whole run, and PostgreSQL releases it if the node dies. On MySQL EF's lock is already such a lock
    /// (<c>GET_LOCK</c>, held by the migrating connection for the whole run; see <see cref="MariaDbCompatibility"/>).
    /// </summary>
    public static async Task MigrateCofferDatabaseAsync(this IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ServerOptions>>().Value;
        Hosting.DataFolder.Ensure(Path.GetFullPath(options.DataFolder));
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        if (db is SqliteCofferDb && !File.Exists(options.DatabasePath))
        {
            // The pool opens files read-write only (see AddCofferDatabase), so the first start creates it here.
            await using var create = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = options.DatabasePath, Pooling = false }.ToString());
            await create.OpenAsync();
        }

        // An up-to-date database (every start but the first after an upgrade) needs no migrator and no lock. The check
        // still builds the EF model (GetPendingMigrationsAsync reaches the context's services, which build it), so the
        // start pays for the model here rather than the first request (bench/results/footprint.md, "What stands in
        // the way": reading the history table over a connection of the provider's own would defer it).
        if ((await db.Database.GetPendingMigrationsAsync()).Any())
        {
            if (db is PostgresCofferDb)
            {
                var source = scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>();
                await using var connection = await source.OpenConnectionAsync();
                await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({PostgresCofferDb.MigrationLockKey})", connection))
                {
                    await lockCommand.ExecuteNonQueryAsync();
                }

                try
                {
                    await db.Database.MigrateAsync();
                }
                finally
                {
                    await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({PostgresCofferDb.MigrationLockKey})", connection);
                    await unlock.ExecuteNonQueryAsync();
                }
            }
            else
            {
                await db.Database.MigrateAsync();
            }
        }

        if (db is SqliteCofferDb)
        {
            // WAL is a property of the database file (persists once set): readers never block the writer.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
    }
}
