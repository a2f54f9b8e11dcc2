using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Data;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Admin;

/// <summary>Creating and redeeming invitation tokens: 256 random bits, Base64url, stored only as their SHA-256.</summary>
public static class Invitations
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>Longer than any token we issue (43 characters); anything longer is refused unhashed.</summary>
    private const int MaxTokenLength = 128;

    public static (string Token, string Hash) NewToken()
    {
        var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token));
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>
    /// The tracked invitation that <paramref name="token"/> opens for <paramref name="email"/>, or null when the token
    /// is unknown, for another e-mail, used or expired (one answer for all, so a guess learns nothing). The caller
    /// sets <see cref="Invitation.UsedDate"/> and commits with the new account; the concurrency token on UsedDate
    /// makes a second concurrent use fail.
    /// </summary>
    public static async Task<Invitation?> FindUsableAsync(CofferDb db, string email, string? token, DateTime now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }

        var hash = Hash(token);
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.TokenHash == hash, ct);
        return invitation is { UsedDate: null } && invitation.Email == email && invitation.ExpirationDate > now ? invitation : null;
    }
}
