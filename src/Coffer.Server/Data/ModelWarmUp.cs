namespace Coffer.Server.Data;

/// <summary>
/// Builds the EF Core model of <see cref="CofferDb"/> (a few hundred milliseconds of reflection and JIT) once the
/// server listens, on a thread-pool thread, instead of on the start path: an up-to-date database needs no model to
/// start (<see cref="DatabaseSetup.MigrateCofferDatabaseAsync(IServiceProvider)"/>), and the first request that
/// needs it either finds it built or waits for the same build (EF builds a model once per context type).
/// </summary>
public static class ModelWarmUp
{
    public static void WarmUpModelAfterStart(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => WarmUp(app.Services, app.Logger)));
    }

    private static void WarmUp(IServiceProvider services, ILogger logger)
    {
        try
        {
            using var scope = services.CreateScope();
            _ = scope.ServiceProvider.GetRequiredService<CofferDb>().Model;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only an early build failed; the first request that needs the model builds it and reports the error.
            logger.LogWarning(e, "Building the database model after start failed");
        }
    }
}
