using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Data;

public static class DatabaseSetup
{
    public static IServiceCollection AddCofferDatabase(this IServiceCollection services)
    {
        services.AddDbContextPool<CofferDb>((provider, options) =>
        {
            var path = provider.GetRequiredService<IOptions<ServerOptions>>().Value.DatabasePath;
            var connection = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Pooling = true,
                // Waits (instead of failing) while another writer holds the lock; seconds.
                DefaultTimeout = 30,
            };
            options.UseSqlite(connection.ToString())
                .AddInterceptors(SqlitePragmas.Instance)
                // Migrations are hand-written without a model snapshot (see Migrations/), so EF cannot diff them.
                .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        });
        return services;
    }

    /// <summary>Applies pending migrations at start. EF Core takes a migration lock, so concurrent starts migrate once.</summary>
    public static async Task MigrateCofferDatabaseAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        Hosting.DataFolder.Ensure(Path.GetDirectoryName(options.DatabasePath)!);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        await db.Database.MigrateAsync();

        // WAL is a property of the database file (persists once set): readers never block the writer.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    /// <summary>
    /// Per-connection settings. synchronous=NORMAL in WAL mode keeps every committed transaction across a
    /// process crash (kill -9); only an OS crash or power loss can drop the last commits.
    /// </summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        public static readonly SqlitePragmas Instance = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private static void Apply(DbConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous=NORMAL;";
            command.ExecuteNonQuery();
        }
    }
}
