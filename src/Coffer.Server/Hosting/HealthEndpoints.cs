using Coffer.Server.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Hosting;

/// <summary>
/// <c>/alive</c> answers while the process runs (liveness: restart the node when it fails); <c>/health</c> answers
/// 200 only while the database answers (readiness: send the node no traffic while it says 503). Load balancers
/// and container runtimes poll both; neither needs a token.
/// </summary>
public static class HealthEndpoints
{
    // A readiness probe that hangs is as bad as one that fails; balancers time out after a few seconds.
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/alive", () => Results.Json(new { status = "alive" }))
            .AllowAnonymous().WithTags("Health").WithSummary("Liveness");
        app.MapGet("/health", Health)
            .AllowAnonymous().WithTags("Health").WithSummary("Readiness: 200 while the database answers, else 503");
    }

    private static async Task<IResult> Health(CofferDb db, HttpResponse response, ILogger<CofferDb> logger, CofferMetrics metrics, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await CheckAsync(db, timeout.Token);
            return Results.Json(new { status = "healthy", database = "ok" });
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Readiness check failed: the database does not answer ({Reason})", e.Message);
            DatabaseOutage.Forget(db);
            metrics.DatabaseFailures.Add(1);
            response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(
                title: "Unhealthy",
                detail: "The database is unavailable.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                extensions: new Dictionary<string, object?> { ["database"] = "unavailable" });
        }
    }

    /// <summary>
    /// For SQLite, a fresh, unpooled connection to the configured path: a pooled handle would keep reading a file
    /// that was unlinked or unmounted under it and report healthy. The query reads the schema, so a file that is
    /// not Coffer's database fails too. Other providers' pools drop broken connections; <c>SELECT 1</c> suffices.
    /// </summary>
    private static async Task CheckAsync(CofferDb db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("SELECT 1", ct);
            return;
        }

        var builder = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false, Mode = SqliteOpenMode.ReadWrite };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM __EFMigrationsHistory;";
        await command.ExecuteScalarAsync(ct);
    }
}
