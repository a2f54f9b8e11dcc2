using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Background;

/// <summary>
/// The server's periodic work (<see cref="BackgroundJobs"/>): one hosted service that runs it once at start and then
/// at every boundary of <see cref="BackgroundOptions.IntervalMinutes"/> (plus up to 30 s of random delay so the nodes
/// of a cluster do not all knock at once). <see cref="BackgroundRuns"/> makes sure one node does each run. A failed
/// run is logged, counted and retried (after 1 min, doubling up to the interval); it never stops the server.
/// </summary>
public static class BackgroundWork
{
    public static IServiceCollection AddBackgroundWork(this IServiceCollection services)
    {
        services.AddSingleton<BackgroundRuns>();
        services.AddHostedService<BackgroundLoop>();
        return services;
    }
}

/// <summary>The schedule of <see cref="BackgroundRuns"/> for the lifetime of the server.</summary>
internal sealed partial class BackgroundLoop(BackgroundRuns runs, TimeProvider time, IOptions<ServerOptions> options, ILogger<BackgroundLoop> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting; the run at start removes what a crash of the last process left behind.
        await Task.Yield();
        var interval = TimeSpan.FromMinutes(options.Value.Background.IntervalMinutes);
        var atStart = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            var retry = FirstRetry;
            var claim = true;
            while (true)
            {
                try
                {
                    await runs.RunAsync(!claim ? RunKind.Retry : atStart ? RunKind.AtStart : RunKind.Scheduled, stoppingToken);
                    break;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // Anything: the database away, a disk error. The run's slot is this node's, so the retry does not
                    // claim it again (another node would otherwise take it over and run it twice).
                    claim = false;
                    LogRetry(e, retry.TotalSeconds);
                    if (!await DelayAsync(retry, stoppingToken))
                    {
                        return;
                    }

                    retry = retry * 2 < interval ? retry * 2 : interval;
                }
            }

            atStart = false;
            if (!await DelayAsync(BackgroundRuns.UntilNextSlot(time.GetUtcNow(), interval) + TimeSpan.FromMilliseconds(RandomNumberGenerator.GetInt32(30_000)), stoppingToken))
            {
                return;
            }
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, time, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The background run failed; retrying in {Seconds} s.")]
    private partial void LogRetry(Exception e, double seconds);
}
