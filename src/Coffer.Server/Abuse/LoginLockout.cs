using Coffer.Server.Audit;
using Coffer.Server.Data;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Abuse;

/// <summary>
/// Locks the password grant for an e-mail after <see cref="RateLimitOptions.LockoutFailures"/> failures within
/// <see cref="RateLimitOptions.LockoutWindowMinutes"/>, for <see cref="RateLimitOptions.LockoutMinutes"/>.
/// Keyed by the normalized e-mail whether or not an account has it, so an unknown e-mail locks exactly like a
/// real one and the locked answer (<see cref="Message"/>, checked before the account is even looked up and without
/// running the password hash) says nothing about existence. While locked, even the right password is refused:
/// otherwise the lock would be an oracle that answers differently for the one correct guess.
/// The price is that anyone can lock a known e-mail out of new logins for a while; sessions already signed in
/// keep working (refresh grants are not locked), and the per-address rate limits slow whoever does it.
/// </summary>
public sealed class LoginLockout(IAttemptStore store, IOptions<ServerOptions> options, Changes changes)
{
    public const string Message = "Too many failed log-in attempts for this e-mail address. Try again later.";

    private RateLimitOptions Limits => options.Value.RateLimits;

    public Task<bool> IsLockedAsync(string normalizedEmail) => store.IsLockedAsync(Key(normalizedEmail));

    /// <summary>Counts a failed login; when it locks the e-mail, queues audit event 9001 on <see cref="Changes"/> (the caller commits).</summary>
    public async Task RecordFailureAsync(string normalizedEmail, Guid? userId)
    {
        var locked = await store.RecordFailureAsync(
            Key(normalizedEmail),
            Limits.LockoutFailures,
            TimeSpan.FromMinutes(Limits.LockoutWindowMinutes),
            TimeSpan.FromMinutes(Limits.LockoutMinutes));
        if (locked)
        {
            changes.Record(EventType.UserLockedOut, userId, detail: userId is null ? "unknown account" : null);
        }
    }

    /// <summary>A successful login forgets the failures.</summary>
    public Task ResetAsync(string normalizedEmail) => store.ResetAsync(Key(normalizedEmail));

    private static string Key(string normalizedEmail) => "lockout:" + normalizedEmail;
}
