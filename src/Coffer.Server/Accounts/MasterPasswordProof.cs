using Coffer.Protocol.Api;
using Coffer.Server.Abuse;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Accounts;

/// <summary>
/// The one place a signed-in route checks the master password hash (account doc §1: password, KDF, e-mail change,
/// security stamp, account deletion, key rotation, verify-password and the two-factor routes). Without it a stolen
/// access token would be an unlimited password oracle: every guess costs the thief one request, and the login's
/// lockout never hears of it. So each check, in this order:
/// <list type="number">
/// <item>spends the account's <see cref="RateLimitOptions.VerifyPasswordPerAccount"/> budget (429 with
/// <c>Retry-After</c> and Bitwarden's error JSON, as the rate limiter answers);</item>
/// <item>is refused while the login lockout (<see cref="LoginLockout"/>, keyed by the e-mail) is in force, with the
/// lockout's message as a 400 and without running the hash, so even the right hash learns nothing;</item>
/// <item>counts a wrong hash as a failed login (event 1005) into that same lockout, so failures here lock the
/// password grant and the other way round.</item>
/// </list>
/// A right hash never resets the lockout's count: only a complete login does (Identity/TokenEndpoints).
/// Answers are 400, never 401/403 (a 401 makes clients refresh and retry, a 403 logs them out).
/// </summary>
public sealed class MasterPasswordProof(PasswordHashing hashing, LoginLockout lockout, IAttemptStore store, IOptions<ServerOptions> options, Changes changes)
{
    // Upstream's SecretVerificationRequestModel caps the hash at 300 characters; anything longer is refused unread.
    private const int MaxHashLength = 300;

    /// <summary>
    /// Null when <paramref name="masterPasswordHash"/> proves knowledge of <paramref name="user"/>'s master password;
    /// otherwise the answer to return: the 429 of the budget, the lockout's 400, or <paramref name="wrong"/>.
    /// A missing or oversized hash is <paramref name="wrong"/> without counting: it is not a guess.
    /// </summary>
    public async Task<IResult?> CheckAsync(string? masterPasswordHash, User user, IResult wrong, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (await SpendBudgetAsync(user, ct) is { } retryAfter)
        {
            return RateLimiting.TooManyRequests(retryAfter);
        }

        var email = AccountEmail.Normalize(user.Email);
        if (await lockout.IsLockedAsync(email))
        {
            return BitwardenErrors.BadRequest(LoginLockout.Message);
        }

        if (string.IsNullOrEmpty(masterPasswordHash) || masterPasswordHash.Length > MaxHashLength)
        {
            return wrong;
        }

        if (await MatchesAsync(masterPasswordHash, user))
        {
            return null;
        }

        changes.Record(EventType.UserFailedLogIn, user.Id, detail: "password re-verification");
        await lockout.RecordFailureAsync(email, user.Id);
        // Nothing else is changed before a proof succeeds, so this commits only the events.
        await changes.CommitAsync(ct: ct);
        return wrong;
    }

    /// <summary>
    /// Spends one request of the account's <see cref="RateLimitOptions.VerifyPasswordPerAccount"/> budget: null
    /// while it lasts, else how long until it refills. Routes that answer in their own format (the admin proof)
    /// call this and <see cref="MatchesAsync"/> themselves and count failures into the lockout.
    /// </summary>
    public async Task<TimeSpan?> SpendBudgetAsync(User user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var limit = options.Value.RateLimits.VerifyPasswordPerAccount;
        var budget = await store.HitAsync("verify-password-account:" + user.Id, limit.Limit, limit.Window, ct);
        return budget.Allowed ? null : budget.RetryAfter;
    }

    /// <summary>Whether <paramref name="masterPasswordHash"/> (at most 300 characters) is <paramref name="user"/>'s; counts nothing.</summary>
    public async Task<bool> MatchesAsync(string masterPasswordHash, User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return masterPasswordHash is { Length: > 0 and <= MaxHashLength }
            && (await hashing.VerifyAsync(masterPasswordHash, user.PasswordHash)).Valid;
    }

    /// <summary>The accounts routes' answer to a wrong hash (account doc §1).</summary>
    public Task<IResult?> CheckAsync(string? masterPasswordHash, User user, CancellationToken ct) =>
        CheckAsync(masterPasswordHash, user, AccountSecrets.InvalidPassword(), ct);
}
