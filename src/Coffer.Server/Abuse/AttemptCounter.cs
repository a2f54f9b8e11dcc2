namespace Coffer.Server.Abuse;

/// <summary>
/// One row of <c>attempt_counters</c>: a fixed-window counter, optionally locked. Times are Unix milliseconds
/// (bigint) so the atomic upsert in <see cref="DatabaseAttemptStore"/> compares plain integers on every provider.
/// </summary>
public sealed class AttemptCounter
{
    /// <summary>Hex HMAC-SHA256 of the counter's key (64 characters).</summary>
    public string Key { get; set; } = "";

    public int Count { get; set; }

    public long WindowEnds { get; set; }

    public long? LockedUntil { get; set; }
}
