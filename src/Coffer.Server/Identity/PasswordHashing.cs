using System.Security.Cryptography;
using System.Text;
using Coffer.Protocol.Crypto;

namespace Coffer.Server.Identity;

/// <summary>
/// The server-side re-hash of the client's master password hash: Argon2id (t=2, 19 MiB, p=1, OWASP) in PHC
/// form, upgraded on the next login whenever the stored parameters differ from the current ones.
/// Hashing is memory-hard and CPU-bound, so at most <see cref="MaxConcurrent"/> run at once: a login storm
/// waits for a slot instead of exhausting memory and starving every other route.
/// </summary>
public sealed class PasswordHashing : IDisposable
{
    public static readonly int MaxConcurrent = Math.Max(2, Environment.ProcessorCount);

    private readonly SemaphoreSlim gate = new(MaxConcurrent, MaxConcurrent);
    private readonly Lazy<string> dummy = new(() => PhcPasswordHasher.Hash(RandomNumberGenerator.GetBytes(32), Current));

    public static PhcParameters Current => PhcParameters.DefaultArgon2id;

    /// <summary>Hashes a Base64 master password hash for storage.</summary>
    public async Task<string> HashAsync(string masterPasswordHash)
    {
        await gate.WaitAsync();
        try
        {
            return PhcPasswordHasher.Hash(Secret(masterPasswordHash), Current);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Verifies against <paramref name="storedHash"/>; with no stored hash (unknown account) it verifies against a
    /// dummy so both cases cost the same time. <c>NewHash</c> is set when the stored parameters should be upgraded.
    /// </summary>
    public async Task<(bool Valid, string? NewHash)> VerifyAsync(string masterPasswordHash, string? storedHash)
    {
        var secret = Secret(masterPasswordHash);
        await gate.WaitAsync();
        try
        {
            var valid = PhcPasswordHasher.Verify(secret, storedHash ?? dummy.Value, Current, out var needsRehash) && storedHash is not null;
            return (valid, valid && needsRehash ? PhcPasswordHasher.Hash(secret, Current) : null);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    // The client sends Base64 of 32 bytes; anything else still goes through the same work (and fails).
    private static byte[] Secret(string masterPasswordHash)
    {
        var buffer = new byte[masterPasswordHash.Length];
        return Convert.TryFromBase64String(masterPasswordHash, buffer, out var written)
            ? buffer[..written]
            : Encoding.UTF8.GetBytes(masterPasswordHash);
    }
}
