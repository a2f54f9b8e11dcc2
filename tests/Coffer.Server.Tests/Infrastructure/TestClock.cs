namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// Real UTC time plus an offset, so a test can jump past a token's expiry without waiting. In whole microseconds,
/// like the server's own <see cref="Data.StorageClock"/> that it replaces.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() =>
        Data.StorageClock.Truncate(System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks)));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);
}
