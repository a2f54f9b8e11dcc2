using System.Security.Cryptography;
using Coffer.Protocol.Crypto;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// The authenticator (TOTP) secrets at rest: AES-256-GCM (NIST SP 800-38D) under a key derived with HKDF-SHA256
/// (RFC 5869) from the server's signing key with its own label, as the audit chain's and the attempt counters'
/// keys are. A database copy alone (a backup, a replica) therefore holds no usable second factor; whoever also holds
/// the signing key (data folder or <c>Coffer:JwtSigningKey</c>) can decrypt them, as the server itself must to check
/// codes. The stored form is self-describing: <c>v1:</c> + Base64(12-byte nonce ‖ ciphertext ‖ 16-byte tag), with
/// the user id as associated data, so a value copied to another account's row does not decrypt there.
/// Anything that does not decrypt (another key, another row, a plaintext value) is treated as no usable secret:
/// the login then refuses every code (fails closed) and the recovery code still works.
/// </summary>
public sealed class TwoFactorSecrets(TokenService tokens)
{
    /// <summary>The prefix of this version's stored values; legacy plaintext values are Base32 and never contain ':'.</summary>
    public const string Prefix = "v1:";

    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] key = HKDF.DeriveKey(HashAlgorithmName.SHA256, tokens.SigningKey, 32, info: "coffer two-factor secrets"u8.ToArray());

    /// <summary>The stored form of <paramref name="secret"/> for <paramref name="userId"/>'s row (67 characters for a 20-byte secret).</summary>
    public string Protect(Guid userId, ReadOnlySpan<byte> secret)
    {
        var sealedValue = new byte[NonceBytes + secret.Length + TagBytes];
        var nonce = sealedValue.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, secret, sealedValue.AsSpan(NonceBytes, secret.Length), sealedValue.AsSpan(NonceBytes + secret.Length), userId.ToByteArray());
        return Prefix + Convert.ToBase64String(sealedValue);
    }

    /// <summary>The secret stored in <paramref name="userId"/>'s row, or null when <paramref name="stored"/> is null or does not decrypt there.</summary>
    public byte[]? Unprotect(Guid userId, string? stored)
    {
        if (stored is null || !stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var sealedValue = new byte[stored.Length];
        if (!Convert.TryFromBase64String(stored[Prefix.Length..], sealedValue, out var length) || length < NonceBytes + TagBytes)
        {
            return null;
        }

        var secret = new byte[length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(sealedValue.AsSpan(0, NonceBytes), sealedValue.AsSpan(NonceBytes, secret.Length), sealedValue.AsSpan(NonceBytes + secret.Length, TagBytes), secret, userId.ToByteArray());
            return secret;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>
    /// Encrypts the plaintext (Base32) secrets that databases from before this version hold; run once at every start.
    /// Each row changes with one conditional UPDATE (<c>WHERE TotpSecret = the plaintext read</c>), so nodes that
    /// start together on one database never overwrite each other: the first one wins, the others change nothing,
    /// and a second start finds no plaintext left. Returns the number of rows this call encrypted.
    /// </summary>
    public async Task<int> EncryptLegacyAsync(CofferDb db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!await AnyLegacyAsync(db, ct))
        {
            return 0;
        }

        var legacy = await db.Users.AsNoTracking()
            .Where(u => u.TotpSecret != null && !u.TotpSecret.StartsWith(Prefix))
            .Select(u => new { u.Id, u.TotpSecret })
            .ToListAsync(ct);
        var encrypted = 0;
        foreach (var row in legacy)
        {
            // A value that is not Base32 was never a usable secret; it stays as it is and decrypts to nothing.
            if (!Base32.TryDecode(row.TotpSecret, out var secret))
            {
                continue;
            }

            var protectedValue = Protect(row.Id, secret);
            encrypted += await db.Users.Where(u => u.Id == row.Id && u.TotpSecret == row.TotpSecret)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpSecret, protectedValue), ct);
        }

        return encrypted;
    }

    /// <summary>
    /// Whether any row still holds a plaintext secret: one raw query (the same SQL on every provider, <see cref="Data.CofferDb.Dialect"/>), so the
    /// usual start, with nothing to encrypt, loads no users through EF.
    /// </summary>
    private const string LegacyProbe = "SELECT 1 FROM users WHERE \"TotpSecret\" IS NOT NULL AND \"TotpSecret\" NOT LIKE '" + Prefix + "%' LIMIT 1";

    private static async Task<bool> AnyLegacyAsync(CofferDb db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = db.Dialect(LegacyProbe);
            return await command.ExecuteScalarAsync(ct) is not null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}

/// <summary>Start-up step for <see cref="TwoFactorSecrets.EncryptLegacyAsync"/>, after the schema migrations.</summary>
public static class TwoFactorSecretsStartup
{
    public static async Task EncryptTwoFactorSecretsAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var count = await scope.ServiceProvider.GetRequiredService<TwoFactorSecrets>().EncryptLegacyAsync(scope.ServiceProvider.GetRequiredService<CofferDb>());
        if (count > 0)
        {
            app.Logger.LogInformation("Encrypted {Count} stored two-factor secrets.", count);
        }
    }
}
