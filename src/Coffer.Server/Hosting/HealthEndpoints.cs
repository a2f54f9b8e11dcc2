using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Hosting;

/// <summary><c>/alive</c> answers while the process runs (liveness); <c>/health</c> also proves the database answers (readiness).</summary>
public static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/alive", () => Results.Json(new { status = "alive" }))
            .AllowAnonymous().WithTags("Health").WithSummary("Liveness");
        app.MapGet("/health", async (CofferDb db, CancellationToken ct) =>
        {
            try
            {
                await db.Database.ExecuteSqlRawAsync("SELECT 1", ct);
                return Results.Json(new { status = "healthy", database = "ok" });
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                return Results.Problem(title: "Unhealthy", detail: "The database does not answer.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous().WithTags("Health").WithSummary("Readiness: the database answers");
    }
}
