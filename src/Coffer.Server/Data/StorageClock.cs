namespace Coffer.Server.Data;

/// <summary>
/// The server's clock, in whole microseconds: the precision of PostgreSQL's <c>timestamptz</c>. A time the server
/// hands out (a revision date) or hashes (an audit event's date) then reads back from either provider exactly as it
/// was, so optimistic-concurrency dates compare equal and the audit chain verifies.
/// </summary>
public sealed class StorageClock(TimeProvider inner) : TimeProvider
{
    public static StorageClock Default { get; } = new(TimeProvider.System);

    public override DateTimeOffset GetUtcNow() => Truncate(inner.GetUtcNow());

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);

    public static DateTimeOffset Truncate(DateTimeOffset time) => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerMicrosecond));
}
