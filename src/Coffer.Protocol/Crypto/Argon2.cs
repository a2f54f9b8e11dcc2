using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Coffer.Protocol.Crypto;

/// <summary>
/// Raw Argon2id (RFC 9106, version 0x13) through the reference C implementation, <c>libargon2.so.1</c>.
/// No managed Argon2 is available on our package feed, and a hand-written one would be invented crypto.
/// </summary>
public static partial class Argon2
{
    private const string LibraryName = "libargon2.so.1";

    /// <summary>
    /// <c>argon2id_hash_raw</c>: no secret key and no associated data.
    /// </summary>
    /// <param name="password">The secret input P (may be empty).</param>
    /// <param name="salt">The salt S; the library requires at least 8 bytes.</param>
    /// <param name="iterations">Time cost t, at least 1.</param>
    /// <param name="memoryKiB">Memory cost m in KiB; the library requires at least 8 × parallelism.</param>
    /// <param name="parallelism">Lanes p, at least 1.</param>
    /// <param name="outputLength">Tag length in bytes; the library requires at least 4.</param>
    /// <exception cref="ArgumentOutOfRangeException">A cost or the output length is zero or negative.</exception>
    /// <exception cref="Argon2UnavailableException">libargon2.so.1 cannot be loaded.</exception>
    /// <exception cref="CryptographicException">The library refused the inputs; the message is its own.</exception>
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

        var output = new byte[outputLength];
        int result;
        try
        {
            result = NativeMethods.Argon2idHashRaw(
                (uint)iterations,
                (uint)memoryKiB,
                (uint)parallelism,
                password,
                (nuint)password.Length,
                salt,
                (nuint)salt.Length,
                output,
                (nuint)output.Length);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw new Argon2UnavailableException(e);
        }

        if (result != 0)
        {
            // ARGON2_OK is 0; every other code has a static message in the library (argon2.h, argon2_error_codes).
            var message = Marshal.PtrToStringUTF8(NativeMethods.Argon2ErrorMessage(result)) ?? "unknown error";
            throw new CryptographicException($"Argon2id failed with code {result}: {message}.");
        }

        return output;
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
