namespace Coffer.Server.Hosting;

/// <summary>
/// Gives memory back to the operating system once the server goes quiet after a busy spell. A server that does no
/// work runs no garbage collection, so whatever a burst of requests left committed (large sync bodies, a grown
/// gen0 budget, free regions) would stay resident until the next burst. Every <see cref="CheckInterval"/> this
/// compares the bytes the process allocated (<see cref="GC.GetTotalAllocatedBytes(bool)"/>): after at least
/// <see cref="BusyBytes"/> since the last trim, an interval with less than <see cref="QuietBytes"/> is quiet, and one
/// full, compacting collection in <see cref="GCCollectionMode.Aggressive"/> mode (which also decommits what it can)
/// runs then, once. Idle servers are never woken for it; busy ones are never interrupted by it.
/// </summary>
internal sealed partial class IdleMemoryTrim(TimeProvider time, ILogger<IdleMemoryTrim> logger) : BackgroundService
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    /// <summary>Allocations within one interval below which the server counts as quiet (1 MiB).</summary>
    public const long QuietBytes = 1L << 20;

    /// <summary>Allocations since the last trim from which a trim is worth its pause (64 MiB).</summary>
    public const long BusyBytes = 64L << 20;

    /// <summary>Whether to trim now, given the bytes allocated in the last interval and since the last trim.</summary>
    public static bool ShouldTrim(long allocatedLastInterval, long allocatedSinceTrim) =>
        allocatedLastInterval < QuietBytes && allocatedSinceTrim >= BusyBytes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = GC.GetTotalAllocatedBytes();
        var sinceTrim = 0L;
        using var timer = new PeriodicTimer(CheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = GC.GetTotalAllocatedBytes();
                var interval = now - last;
                last = now;
                sinceTrim += interval;
                if (ShouldTrim(interval, sinceTrim))
                {
                    var before = Environment.WorkingSet;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    LogTrimmed(sinceTrim >> 20, before >> 20, Environment.WorkingSet >> 20);
                    sinceTrim = 0;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Quiet after {AllocatedMiB} MiB of allocations: memory trimmed, working set {BeforeMiB} → {AfterMiB} MiB")]
    private partial void LogTrimmed(long allocatedMiB, long beforeMiB, long afterMiB);
}

public static class IdleMemoryTrimSetup
{
    public static IServiceCollection AddIdleMemoryTrim(this IServiceCollection services) => services.AddHostedService<IdleMemoryTrim>();
}
