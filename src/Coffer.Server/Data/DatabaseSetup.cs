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
                // Never create the file once running: if the data folder's volume goes away, a fresh empty database
                // in its place would take writes that vanish when it returns. Requests answer 503 instead
                // (Hosting/DatabaseOutage); only the migration at start creates the file.
                Mode = SqliteOpenMode.ReadWrite,
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
    public static Task MigrateCofferDatabaseAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.MigrateCofferDatabaseAsync();
    }

    /// <summary>The same for the command-line tools (<see cref="Admin.ServerCommands"/>), which have no web host.</summary>
    public static async Task MigrateCofferDatabaseAsync(this IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ServerOptions>>().Value;
        Hosting.DataFolder.Ensure(Path.GetDirectoryName(options.DatabasePath)!);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        if (!File.Exists(options.DatabasePath))
        {
            await using var create = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = options.DatabasePath, Pooling = false }.ToString());
            await create.OpenAsync();
        }

        await db.Database.MigrateAsync();

        // WAL is a property of the database file (persists once set): readers never block the writer.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }
}
