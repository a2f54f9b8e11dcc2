using Coffer.Server.Abuse;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Sends;

/// <summary>
/// What every recipient route shares (<c>bitwarden-sharing-features.md</c> §3.8, §3.9): the availability rule, the
/// password check (hashed again, compared in constant time, with a failure budget per Send), and the atomic access
/// count that tells the owner.
/// </summary>
public sealed class SendAccess(CofferDb db, Changes changes, PasswordHashing hashing, IAttemptStore attempts, IOptions<ServerOptions> options)
{
    /// <summary>The outcome of a password check.</summary>
    public enum PasswordCheck
    {
        /// <summary>The Send has no password, or the right one was given.</summary>
        Passed,

        /// <summary>The Send has a password and none was given.</summary>
        Missing,

        /// <summary>A wrong password, or the Send's failure budget is spent (answered alike, so the lock reveals nothing).</summary>
        Wrong,
    }

    public DateTime Now => changes.Now;

    /// <summary>
    /// Availability (§3.8, both reference servers): not disabled, before its expiration and deletion dates, under its
    /// maximum access count, and for a file Send, its file uploaded. Only the recipient routes apply it.
    /// </summary>
    public static bool IsAvailable(Send send, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(send);
        return !send.Disabled
            && (send.ExpirationDate is not { } expiration || now < expiration)
            && now < send.DeletionDate
            && (send.MaxAccessCount is not { } max || send.AccessCount < max)
            && (send.Type == 0 || send.FileUploaded);
    }

    /// <summary>The Send <paramref name="id"/> when it exists and is available, else null (one answer for both, S-7).</summary>
    public async Task<Send?> FindAvailableAsync(Guid? id, CancellationToken ct)
    {
        if (id is not { } sendId)
        {
            return null;
        }

        var send = await db.Sends.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sendId, ct);
        return send is not null && IsAvailable(send, Now) ? send : null;
    }

    /// <summary>
    /// Checks <paramref name="passwordHash"/> (the client's Base64 PBKDF2 hash, §3.3) against the Send's stored hash.
    /// Each wrong one counts against the Send's failure budget (<see cref="RateLimitOptions.SendPasswordFailuresPerSend"/>);
    /// once spent, every password is refused until the window ends, so guessing from many addresses stays slow too.
    /// </summary>
    public async Task<PasswordCheck> CheckPasswordAsync(Send send, string? passwordHash, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(send);
        if (send.PasswordHash is null)
        {
            return PasswordCheck.Passed;
        }

        if (string.IsNullOrEmpty(passwordHash))
        {
            return PasswordCheck.Missing;
        }

        var key = $"send-password:{send.Id:D}";
        if (passwordHash.Length > 1000 || await attempts.IsLockedAsync(key, ct))
        {
            return PasswordCheck.Wrong;
        }

        // Argon2id verification compares in constant time (Identity/PasswordHashing).
        var (valid, _) = await hashing.VerifyAsync(passwordHash, send.PasswordHash);
        if (valid)
        {
            return PasswordCheck.Passed;
        }

        var budget = options.Value.RateLimits.SendPasswordFailuresPerSend;
        await attempts.RecordFailureAsync(key, budget.Limit, budget.Window, budget.Window, ct);
        return PasswordCheck.Wrong;
    }

    /// <summary>
    /// Counts one access, atomically: <c>UPDATE … SET AccessCount = AccessCount + 1 WHERE Id = @id AND</c> still
    /// available, so of two recipients racing for the last access exactly one gets a row (S-8; a read-then-write would
    /// let both through, pitfall 15). On success the owner's revision date moves and every device of the owner is told
    /// (<c>SyncSendUpdate</c>, §3.12). Returns false when the Send was no longer available.
    /// </summary>
    public async Task<bool> CountAsync(Send send, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(send);
        var now = Now;
        var counted = await db.Sends
            .Where(s => s.Id == send.Id && !s.Disabled && now < s.DeletionDate
                && (s.ExpirationDate == null || now < s.ExpirationDate)
                && (s.MaxAccessCount == null || s.AccessCount < s.MaxAccessCount))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.AccessCount, x => x.AccessCount + 1).SetProperty(x => x.RevisionDate, now), ct);
        if (counted == 0)
        {
            return false;
        }

        send.AccessCount++;
        send.RevisionDate = now;
        changes.Notify(PushType.SyncSendUpdate, send.UserId, send.Id, now, excludeActingDevice: false);
        await changes.CommitAsync(send.UserId, ct);
        return true;
    }

    /// <summary>The owner's e-mail for <c>creatorIdentifier</c>, or null when the Send hides it (S-12).</summary>
    public async Task<string?> CreatorAsync(Send send, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(send);
        return send.HideEmail ? null : await db.Users.Where(u => u.Id == send.UserId).Select(u => u.Email).SingleOrDefaultAsync(ct);
    }
}
