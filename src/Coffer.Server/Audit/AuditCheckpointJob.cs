using Coffer.Server.Data;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Audit;

/// <summary>
/// Writes a checkpoint of the audit log every <see cref="AuditOptions.CheckpointInterval"/> when any chain moved
/// (<see cref="AuditCheckpoints.WriteAsync"/>), and retries exports that failed. It runs beside the commits and
/// takes none of their locks: a checkpoint reads the chain heads in one statement. On a cluster every node runs it;
/// the checkpoint number is the primary key, so when two nodes race one writes and the other finds it done.
/// A refused checkpoint (a chain lost events a checkpoint recorded) is logged as an error at every run.
/// </summary>
public sealed partial class AuditCheckpointJob(IServiceScopeFactory scopes, AuditCheckpoints checkpoints, TimeProvider time, IOptions<ServerOptions> options,
    ILogger<AuditCheckpointJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Audit.CheckpointInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await RunOnceAsync(stoppingToken);
        }
    }

    /// <summary>One run: writes a checkpoint if anything moved; failures are logged, never thrown.</summary>
    public async Task RunOnceAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var (_, refusal) = await checkpoints.WriteAsync(scope.ServiceProvider.GetRequiredService<CofferDb>(), null, ct);
            if (refusal is not null)
            {
                LogRefused(refusal);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The database away, a malformed row: logged, and the next run tries again.
            LogFailed(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "No audit checkpoint written: {Refusal}. Run coffer-server audit verify.")]
    private partial void LogRefused(string refusal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit checkpoint run failed; trying again at the next interval.")]
    private partial void LogFailed(Exception e);
}

public static class AuditSetup
{
    /// <summary>The audit chain, its checkpoints and the HTTP client that exports them (10 s timeout).</summary>
    public static IServiceCollection AddAuditLog(this IServiceCollection services)
    {
        services.AddSingleton<AuditChain>();
        services.AddSingleton<AuditCheckpoints>();
        services.AddHttpClient(AuditCheckpoints.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        return services;
    }

    /// <summary>The periodic checkpoint writer (<see cref="AuditCheckpointJob"/>), for the server (not its commands).</summary>
    public static IServiceCollection AddAuditCheckpointJob(this IServiceCollection services) =>
        services.AddSingleton<AuditCheckpointJob>().AddHostedService(s => s.GetRequiredService<AuditCheckpointJob>());
}
