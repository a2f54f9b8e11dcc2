namespace Coffer.Server.Abuse;

/// <summary>
/// One rate limit: at most <see cref="Limit"/> requests per fixed window of <see cref="WindowSeconds"/> seconds.
/// Configured as <c>Coffer:RateLimits:&lt;Name&gt;:Limit</c> and <c>…:WindowSeconds</c>.
/// </summary>
public sealed class RateLimit
{
    public int Limit { get; set; }

    public int WindowSeconds { get; set; } = 60;

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);

    internal static RateLimit PerMinute(int limit) => new() { Limit = limit, WindowSeconds = 60 };

    internal static RateLimit PerHour(int limit) => new() { Limit = limit, WindowSeconds = 3600 };
}

/// <summary>
/// Section <c>Coffer:RateLimits</c>: request budgets per client address and per account (the normalized e-mail, or
/// the signed-in user on two-factor routes), and the failed-login lockout. Counters live in the database
/// (<see cref="IAttemptStore"/>), so every server node sharing it enforces the same budget.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Password grants per client address.</summary>
    public RateLimit LoginPerIp { get; set; } = RateLimit.PerMinute(10);

    /// <summary>Password grants per e-mail, whether or not the account exists.</summary>
    public RateLimit LoginPerAccount { get; set; } = RateLimit.PerMinute(10);

    /// <summary>Refresh grants per client address (a refresh token is already a 256-bit secret; this bounds load).</summary>
    public RateLimit RefreshPerIp { get; set; } = RateLimit.PerMinute(60);

    public RateLimit PreloginPerIp { get; set; } = RateLimit.PerMinute(30);

    public RateLimit PreloginPerAccount { get; set; } = RateLimit.PerMinute(20);

    /// <summary>Requests to the registration routes; a sign-up takes two (send-verification-email, finish), so five sign-ups an hour.</summary>
    public RateLimit RegistrationPerIp { get; set; } = RateLimit.PerHour(10);

    public RateLimit RegistrationPerAccount { get; set; } = RateLimit.PerHour(5);

    /// <summary>
    /// Requests that change or verify something under <c>/api/two-factor</c> (every method but GET and HEAD), and
    /// password grants that carry a two-factor code: a six-digit code must not be guessable at the login rate.
    /// </summary>
    public RateLimit TwoFactorPerIp { get; set; } = RateLimit.PerMinute(3);

    public RateLimit TwoFactorPerAccount { get; set; } = RateLimit.PerMinute(3);

    /// <summary>
    /// Re-verifications of the master password hash on signed-in routes (verify-password, password, KDF and e-mail
    /// changes, key rotation, deletion, two-factor changes), per account, right or wrong: a stolen access token must
    /// not be a fast password oracle. Wrong ones also count into the lockout below.
    /// </summary>
    public RateLimit VerifyPasswordPerAccount { get; set; } = RateLimit.PerMinute(6);

    /// <summary>
    /// Send access requests per client address: <c>send_access</c> grants and the legacy anonymous Send routes
    /// (<c>bitwarden-sharing-features.md</c> §3.8 asks for the login limiter's rate).
    /// </summary>
    public RateLimit SendAccessPerIp { get; set; } = RateLimit.PerMinute(10);

    /// <summary>
    /// Wrong passwords for one Send, from any address, within the window that lock the Send's password checks for
    /// that window (every password is refused meanwhile): 10 per 15 minutes, so a weak Send password is not guessed
    /// by many addresses together.
    /// </summary>
    public RateLimit SendPasswordFailuresPerSend { get; set; } = new() { Limit = 10, WindowSeconds = 900 };

    /// <summary>Failed password grants and failed re-verifications (Accounts/MasterPasswordProof) for one e-mail within <see cref="LockoutWindowMinutes"/> that lock it.</summary>
    public int LockoutFailures { get; set; } = 10;

    public int LockoutWindowMinutes { get; set; } = 15;

    /// <summary>How long a locked e-mail stays locked, in minutes.</summary>
    public int LockoutMinutes { get; set; } = 15;

    internal IEnumerable<(string Name, RateLimit Limit)> All() =>
    [
        (nameof(LoginPerIp), LoginPerIp), (nameof(LoginPerAccount), LoginPerAccount), (nameof(RefreshPerIp), RefreshPerIp),
        (nameof(PreloginPerIp), PreloginPerIp), (nameof(PreloginPerAccount), PreloginPerAccount),
        (nameof(RegistrationPerIp), RegistrationPerIp), (nameof(RegistrationPerAccount), RegistrationPerAccount),
        (nameof(TwoFactorPerIp), TwoFactorPerIp), (nameof(TwoFactorPerAccount), TwoFactorPerAccount),
        (nameof(VerifyPasswordPerAccount), VerifyPasswordPerAccount),
        (nameof(SendAccessPerIp), SendAccessPerIp), (nameof(SendPasswordFailuresPerSend), SendPasswordFailuresPerSend),
    ];

    /// <summary>The problems with these settings, as messages naming the configuration key; empty when valid.</summary>
    internal IEnumerable<string> Validate()
    {
        foreach (var (name, limit) in All())
        {
            if (limit is null || limit.Limit is < 1 or > 1_000_000 || limit.WindowSeconds is < 1 or > 86_400)
            {
                yield return $"Coffer:RateLimits:{name} needs Limit 1–1000000 and WindowSeconds 1–86400.";
            }
        }

        if (LockoutFailures is < 3 or > 1000 || LockoutWindowMinutes is < 1 or > 1440 || LockoutMinutes is < 1 or > 1440)
        {
            yield return "Coffer:RateLimits:LockoutFailures must be 3–1000, LockoutWindowMinutes and LockoutMinutes 1–1440.";
        }
    }
}
