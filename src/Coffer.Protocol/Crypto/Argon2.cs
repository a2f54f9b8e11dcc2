using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Coffer.Protocol.Crypto;

/// <summary>Which Argon2id implementation <see cref="Argon2"/> runs in this process.</summary>
public enum Argon2Implementation
{
    /// <summary>The reference C implementation, <c>libargon2.so.1</c> (Debian package libargon2-1): the fast path.</summary>
    Native,

    /// <summary>Konscious.Security.Cryptography.Argon2, a managed implementation, where the native library is missing.</summary>
    Managed,
}

/// <summary>
/// Raw Argon2id (RFC 9106, version 0x13). The reference C implementation, <c>libargon2.so.1</c>, is the fast path;
/// where it cannot be loaded (macOS, Windows, a slim container) the maintained managed implementation
/// Konscious.Security.Cryptography.Argon2 gives the same tags (both are checked against tests/vectors/crypto-vectors.json).
/// Which one runs is decided once per process and reported by <see cref="Implementation"/>, so hosts can say so in their log.
/// </summary>
public static partial class Argon2
{
    private const string LibraryName = "libargon2.so.1";

    // argon2.h: ARGON2_MIN_SALT_LENGTH and ARGON2_SYNC_POINTS; the managed path checks them too, so both paths refuse alike.
    private const int MinSaltLength = 8;
    private const int SyncPoints = 4;

    private static readonly Lazy<Argon2Implementation> Selected = new(() => Select(NativeLoads(LibraryName)));
    private static int s_managedUsed;

    /// <summary>The implementation this process uses: <see cref="Argon2Implementation.Native"/> when libargon2.so.1 loads.</summary>
    public static Argon2Implementation Implementation => Selected.Value;

    /// <summary>True once a hash has been computed by the managed fallback in this process (the CLI says so once).</summary>
    public static bool ManagedFallbackUsed => Volatile.Read(ref s_managedUsed) != 0;

    /// <summary>
    /// <c>argon2id_hash_raw</c>: no secret key and no associated data.
    /// </summary>
    /// <param name="password">The secret input P (may be empty).</param>
    /// <param name="salt">The salt S; at least 8 bytes.</param>
    /// <param name="iterations">Time cost t, at least 1.</param>
    /// <param name="memoryKiB">Memory cost m in KiB; at least 8 × parallelism.</param>
    /// <param name="parallelism">Lanes p, at least 1.</param>
    /// <param name="outputLength">Tag length in bytes; at least 4.</param>
    /// <exception cref="ArgumentOutOfRangeException">A cost or the output length is zero or negative.</exception>
    /// <exception cref="CryptographicException">The inputs are refused (salt too short, memory too small); the message is the library's.</exception>
    public static byte[] HashArgon2id(
        ReadOnlySpan<byte> password,
        ReadOnlySpan<byte> salt,
        int iterations,
        int memoryKiB,
        int parallelism,
        int outputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryKiB);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parallelism);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputLength);

        if (Implementation == Argon2Implementation.Native)
        {
            return HashNative(password, salt, iterations, memoryKiB, parallelism, outputLength);
        }

        Interlocked.Exchange(ref s_managedUsed, 1);
        return HashManaged(password, salt, iterations, memoryKiB, parallelism, outputLength);
    }

    /// <summary>The choice <see cref="Implementation"/> makes, given whether the native library loads (a seam for tests).</summary>
    internal static Argon2Implementation Select(bool nativeLoads) => nativeLoads ? Argon2Implementation.Native : Argon2Implementation.Managed;

    /// <summary>Whether <paramref name="libraryName"/> loads and exports <c>argon2id_hash_raw</c>, as the P/Invoke below needs.</summary>
    internal static bool NativeLoads(string libraryName)
    {
        if (!NativeLibrary.TryLoad(libraryName, typeof(Argon2).Assembly, null, out var handle))
        {
            return false;
        }

        // The handle stays loaded: the P/Invoke stubs resolve the same library by name and keep using it.
        return NativeLibrary.TryGetExport(handle, "argon2id_hash_raw", out _);
    }

    internal static byte[] HashNative(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int iterations, int memoryKiB, int parallelism, int outputLength)
    {
        var output = new byte[outputLength];
        var result = NativeMethods.Argon2idHashRaw(
            (uint)iterations,
            (uint)memoryKiB,
            (uint)parallelism,
            password,
            (nuint)password.Length,
            salt,
            (nuint)salt.Length,
            output,
            (nuint)output.Length);
        if (result != 0)
        {
            // ARGON2_OK is 0; every other code has a static message in the library (argon2.h, argon2_error_codes).
            var message = Marshal.PtrToStringUTF8(NativeMethods.Argon2ErrorMessage(result)) ?? "unknown error";
            throw new CryptographicException($"Argon2id failed with code {result}: {message}.");
        }

        return output;
    }

    internal static byte[] HashManaged(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int iterations, int memoryKiB, int parallelism, int outputLength)
    {
        // The reference library's own checks and messages (argon2.c, argon2_error_message), so callers see one behaviour.
        if (salt.Length < MinSaltLength)
        {
            throw new CryptographicException("Argon2id failed with code -6: Salt is too short.");
        }

        if (memoryKiB < 2 * SyncPoints * parallelism)
        {
            throw new CryptographicException("Argon2id failed with code -14: Memory cost is too small.");
        }

        if (outputLength < 4)
        {
            throw new CryptographicException("Argon2id failed with code -2: Output is too short.");
        }

        var secret = password.ToArray();
        try
        {
            using var argon2 = new Konscious.Security.Cryptography.Argon2id(secret)
            {
                Salt = salt.ToArray(),
                Iterations = iterations,
                MemorySize = memoryKiB,
                DegreeOfParallelism = parallelism,
            };
            return argon2.GetBytes(outputLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static partial class NativeMethods
    {
        // int argon2id_hash_raw(uint32_t t_cost, uint32_t m_cost, uint32_t parallelism, const void *pwd, size_t pwdlen,
        //                       const void *salt, size_t saltlen, void *hash, size_t hashlen);
        [LibraryImport(LibraryName, EntryPoint = "argon2id_hash_raw")]
        internal static partial int Argon2idHashRaw(
            uint timeCost,
            uint memoryCost,
            uint parallelism,
            ReadOnlySpan<byte> password,
            nuint passwordLength,
            ReadOnlySpan<byte> salt,
            nuint saltLength,
            Span<byte> hash,
            nuint hashLength);

        // const char *argon2_error_message(int error_code); the string is static, so it is not freed.
        [LibraryImport(LibraryName, EntryPoint = "argon2_error_message")]
        internal static partial nint Argon2ErrorMessage(int errorCode);
    }
}
