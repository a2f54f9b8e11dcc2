using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// The six-digit codes of two-step login by e-mail (provider 1), stored as <see cref="EmailCode"/> rows: only an
/// HMAC-SHA-256 of the code under a key derived (HKDF, RFC 5869) from the server's signing key is kept, so a copy of
/// the database cannot be used to read a code that is still valid, and the code is bound to its account and
/// purpose. A code lives <see cref="Lifetime"/>, dies on first use and after <see cref="MaxWrongTries"/> wrong
/// guesses (10⁶ codes, so a guesser's chance per code is 5 in a million), and a new one is mailed at most every
/// <see cref="ResendAfter"/>: within that minute asking again keeps the code already mailed, which bounds how much
/// mail one account can be made to receive and lets a client that asks twice (<c>bw login --method 1</c> gets the
/// challenge and then calls <c>send-email-login</c>) leave the user with one valid code.
/// </summary>
public sealed class EmailCodes(TokenService tokens)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan ResendAfter = TimeSpan.FromMinutes(1);

    public const int MaxWrongTries = 5;

    private readonly byte[] key = HKDF.DeriveKey(HashAlgorithmName.SHA256, tokens.SigningKey, 32, info: "coffer two-factor e-mail codes"u8.ToArray());

    /// <summary>
    /// A fresh code for <paramref name="userId"/> and <paramref name="purpose"/>, replacing any earlier one, to be sent
    /// to <paramref name="email"/>; saved by the caller's commit. Null when a code for the same purpose and address was
    /// issued less than <see cref="ResendAfter"/> ago and can still be used: that one stays.
    /// </summary>
    public async Task<string?> IssueAsync(CofferDb db, Guid userId, EmailCodePurpose purpose, string email, DateTime now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var row = await db.EmailCodes.SingleOrDefaultAsync(c => c.UserId == userId && c.Purpose == purpose, ct);
        if (row is not null && row.Email == email && row.FailedAttempts < MaxWrongTries && row.ExpirationDate - Lifetime + ResendAfter > now)
        {
            return null;
        }

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        if (row is null)
        {
            row = new EmailCode { Id = Guid.NewGuid(), UserId = userId, Purpose = purpose, CodeHash = "" };
            db.EmailCodes.Add(row);
        }

        row.Email = email;
        row.CodeHash = Hash(userId, purpose, code);
        row.ExpirationDate = now + Lifetime;
        row.FailedAttempts = 0;
        return code;
    }

    /// <summary>
    /// Whether <paramref name="code"/> is the live code for this account and purpose (and, for setup, was sent to
    /// <paramref name="email"/>). A right code is used up at once, a wrong one counts; both with one conditional
    /// statement each, so two requests racing with one code (on any node) cannot both pass.
    /// </summary>
    public async Task<bool> CheckAsync(CofferDb db, Guid userId, EmailCodePurpose purpose, string? code, DateTime now, string? email = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var row = await db.EmailCodes.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == userId && c.Purpose == purpose, ct);
        if (row is null || row.ExpirationDate <= now || row.FailedAttempts >= MaxWrongTries)
        {
            return false;
        }

        var normalized = code?.Trim() ?? "";
        var right = normalized.Length is > 0 and <= 16
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(userId, purpose, normalized)), Encoding.ASCII.GetBytes(row.CodeHash))
            && (email is null || string.Equals(row.Email, email, StringComparison.OrdinalIgnoreCase));
        if (right)
        {
            return await db.EmailCodes.Where(c => c.Id == row.Id && c.CodeHash == row.CodeHash && c.FailedAttempts < MaxWrongTries).ExecuteDeleteAsync(ct) == 1;
        }

        await db.EmailCodes.Where(c => c.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.FailedAttempts, c => c.FailedAttempts + 1), ct);
        return false;
    }

    private string Hash(Guid userId, EmailCodePurpose purpose, string code) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{userId:N}|{(int)purpose}|{code}")));
}
