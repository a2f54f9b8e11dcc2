namespace Coffer.Server.Abuse;

/// <summary>
/// Counters for rate limits and the failed-login lockout, shared by every server node that shares the database.
/// Keys are free text (<c>"login-ip:203.0.113.7"</c>); implementations store only a keyed hash of them, so the
/// table holds no e-mail addresses or client addresses. Windows are fixed: a window starts with its first hit.
/// </summary>
public interface IAttemptStore
{
    /// <summary>Counts one request against <paramref name="key"/>; denied once more than <paramref name="limit"/> fall in the current window.</summary>
    Task<AttemptResult> HitAsync(string key, int limit, TimeSpan window, CancellationToken ct = default);

    /// <summary>
    /// Counts one failure; when this makes <paramref name="threshold"/> failures within <paramref name="window"/>,
    /// locks <paramref name="key"/> for <paramref name="lockFor"/> and returns true (false on every other call).
    /// </summary>
    Task<bool> RecordFailureAsync(string key, int threshold, TimeSpan window, TimeSpan lockFor, CancellationToken ct = default);

    /// <summary>True while a lock set by <see cref="RecordFailureAsync"/> lasts.</summary>
    Task<bool> IsLockedAsync(string key, CancellationToken ct = default);

    /// <summary>Forgets the key's count and lock (a successful login).</summary>
    Task ResetAsync(string key, CancellationToken ct = default);
}

/// <summary>The outcome of one <see cref="IAttemptStore.HitAsync"/>: the window's count so far, and when it ends.</summary>
public readonly record struct AttemptResult(bool Allowed, int Count, TimeSpan RetryAfter);
