using System.Security.Cryptography;
using System.Text;
using Coffer.Client.Crypto;

namespace Coffer.Cli.Storage;

/// <summary>
/// session.json's <c>unlocked</c> entry: the 64-byte user key under AES-256-GCM with a random 256-bit session key
/// that is printed once by <c>coffer unlock</c> and never written to disk. Without that key the entry decrypts
/// nothing; a new unlock replaces it (so older keys go stale) and <c>coffer lock</c>, logout and every change of
/// the master password, KDF or user key remove it.
/// </summary>
public sealed record UnlockedUserKey
{
    /// <summary>Format version: 1 is AES-256-GCM, 12-byte nonce, 16-byte tag, associated data <c>coffer-session-v1:EMAIL</c>.</summary>
    public required int Version { get; init; }
    public required string Nonce { get; init; }
    public required string Ciphertext { get; init; }
    public required string Tag { get; init; }
}

/// <summary>Creates and opens <see cref="UnlockedUserKey"/> entries (AES-GCM from System.Security.Cryptography).</summary>
public static class SessionKey
{
    public const string EnvironmentVariable = "COFFER_SESSION";
    private const int CurrentVersion = 1;
    private const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>A fresh session key (Base64 of 32 random bytes) and the user key encrypted under it.</summary>
    public static (string Key, UnlockedUserKey Entry) Protect(SymmetricKey userKey, string email)
    {
        ArgumentNullException.ThrowIfNull(userKey);
        var key = RandomNumberGenerator.GetBytes(KeyBytes);
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var plaintext = userKey.ToArray();
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(email));
            return (Convert.ToBase64String(key), new UnlockedUserKey
            {
                Version = CurrentVersion,
                Nonce = Convert.ToBase64String(nonce),
                Ciphertext = Convert.ToBase64String(ciphertext),
                Tag = Convert.ToBase64String(tag),
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The user key, if <paramref name="sessionKey"/> is the one this entry was made with.</summary>
    /// <exception cref="CliException">Exit code 4 (locked): the key is malformed, wrong or stale, or the entry's version unknown.</exception>
    public static SymmetricKey Open(UnlockedUserKey entry, string sessionKey, string email)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = new byte[KeyBytes];
        if (!Convert.TryFromBase64String(sessionKey.Trim(), key, out var written) || written != KeyBytes)
        {
            throw CliException.Locked($"{EnvironmentVariable} is not a session key (Base64 of 32 bytes). Run `coffer unlock` and export the key it prints.");
        }

        if (entry.Version != CurrentVersion)
        {
            throw CliException.Locked($"The session was saved by another version of coffer. Run `coffer unlock`.");
        }

        var plaintext = GC.AllocateUninitializedArray<byte>(Convert.FromBase64String(entry.Ciphertext).Length, pinned: true);
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(Convert.FromBase64String(entry.Nonce), Convert.FromBase64String(entry.Ciphertext), Convert.FromBase64String(entry.Tag), plaintext, AssociatedData(email));
            return new SymmetricKey(plaintext);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw CliException.Locked($"{EnvironmentVariable} does not open this session: it is wrong, or stale after `coffer lock` or a newer `coffer unlock`. Run `coffer unlock`.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    // Binds the entry to the account, so a session file copied between accounts does not open.
    private static byte[] AssociatedData(string email) => Encoding.UTF8.GetBytes("coffer-session-v1:" + email);
}
