using System.Runtime.CompilerServices;
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

    // argon2.h: ARGON2_VERSION_13 and ARGON2_MEMORY_ALLOCATION_ERROR.
    private const uint Version13 = 0x13;
    private const int MemoryAllocationError = -22;

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

    /// <summary>Whether <paramref name="libraryName"/> loads and exports <c>argon2id_ctx</c>, as the P/Invoke below needs.</summary>
    internal static bool NativeLoads(string libraryName)
    {
        if (!NativeLibrary.TryLoad(libraryName, typeof(Argon2).Assembly, null, out var handle))
        {
            return false;
        }

        // The handle stays loaded: the P/Invoke stubs resolve the same library by name and keep using it.
        return NativeLibrary.TryGetExport(handle, "argon2id_ctx", out _);
    }

    internal static unsafe byte[] HashNative(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int iterations, int memoryKiB, int parallelism, int outputLength)
    {
        var output = new byte[outputLength];
        int result;
        fixed (byte* passwordPointer = password, saltPointer = salt, outputPointer = output)
        {
            // What argon2id_hash_raw sets up (argon2.c, argon2_hash), plus the allocation callbacks.
            var context = new NativeMethods.Context
            {
                Out = outputPointer,
                OutLength = (uint)output.Length,
                Password = passwordPointer,
                PasswordLength = (uint)password.Length,
                Salt = saltPointer,
                SaltLength = (uint)salt.Length,
                TimeCost = (uint)iterations,
                MemoryCost = (uint)memoryKiB,
                Lanes = (uint)parallelism,
                Threads = (uint)parallelism,
                Version = Version13,
            };
            if (OperatingSystem.IsLinux())
            {
                // The mmap flags below are Linux's; elsewhere (a libargon2 from Homebrew, say) the library's malloc serves.
                context.Allocate = &MapMemory;
                context.Free = &UnmapMemory;
            }

            result = NativeMethods.Argon2idContext(&context);
        }

        if (result != 0)
        {
            // ARGON2_OK is 0; every other code has a static message in the library (argon2.h, argon2_error_codes).
            var message = Marshal.PtrToStringUTF8(NativeMethods.Argon2ErrorMessage(result)) ?? "unknown error";
            throw new CryptographicException($"Argon2id failed with code {result}: {message}.");
        }

        return output;
    }

    /// <summary>
    /// The library's <c>allocate_cbk</c>: the m KiB of blocks as their own anonymous mapping. Through malloc they came
    /// from glibc, which after the first free of a block that size raises its mmap threshold above it and from then on
    /// keeps every freed 19 MiB block in the calling thread's arena: a few hundred MB resident after a login burst
    /// (bench/results/footprint.md, "After-load memory: where it went"). A mapping goes back to the kernel on free.
    /// Transparent huge pages (<c>MADV_HUGEPAGE</c>) make the fresh mapping as cheap as reused heap memory: 2 MiB
    /// page faults instead of 4,864 of 4 KiB (which cost half as much CPU again as the hash itself), and fewer TLB misses
    /// in the hash's random reads.
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe int MapMemory(byte** memory, nuint bytes)
    {
        var mapped = NativeMethods.Mmap(0, bytes, NativeMethods.ProtRead | NativeMethods.ProtWrite, NativeMethods.MapPrivate | NativeMethods.MapAnonymous, -1, 0);
        if (mapped == NativeMethods.MapFailed)
        {
            *memory = null;
            return MemoryAllocationError;
        }

        // Advice only (without transparent huge pages the kernel ignores or refuses it, and 4 KiB pages serve).
        _ = NativeMethods.Madvise(mapped, bytes, NativeMethods.MadviseHugePage);
        *memory = (byte*)mapped;
        return 0;
    }

    /// <summary>The library's <c>free_cbk</c>, called after it wiped the blocks (argon2 core.c, free_memory).</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void UnmapMemory(byte* memory, nuint bytes)
    {
        // munmap fails only for a range that is not page-aligned (EINVAL), and this one is what mmap returned.
        _ = NativeMethods.Munmap((nint)memory, bytes);
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

    private static unsafe partial class NativeMethods
    {
        // <sys/mman.h> on Linux (x86-64 and arm64 alike).
        internal const int ProtRead = 0x1;
        internal const int ProtWrite = 0x2;
        internal const int MapPrivate = 0x02;
        internal const int MapAnonymous = 0x20;
        internal const int MadviseHugePage = 14;
        internal static readonly nint MapFailed = -1;

        /// <summary>argon2.h <c>argon2_context</c> (version 20171227 and later), field for field.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Context
        {
            public byte* Out;
            public uint OutLength;
            public byte* Password;
            public uint PasswordLength;
            public byte* Salt;
            public uint SaltLength;
            public byte* Secret;
            public uint SecretLength;
            public byte* AssociatedData;
            public uint AssociatedDataLength;
            public uint TimeCost;
            public uint MemoryCost;
            public uint Lanes;
            public uint Threads;
            public uint Version;
            public delegate* unmanaged[Cdecl]<byte**, nuint, int> Allocate;
            public delegate* unmanaged[Cdecl]<byte*, nuint, void> Free;
            public uint Flags;
        }

        // int argon2id_ctx(argon2_context *context);
        [LibraryImport(LibraryName, EntryPoint = "argon2id_ctx")]
        internal static partial int Argon2idContext(Context* context);

        // const char *argon2_error_message(int error_code); the string is static, so it is not freed.
        [LibraryImport(LibraryName, EntryPoint = "argon2_error_message")]
        internal static partial nint Argon2ErrorMessage(int errorCode);

        // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
        [LibraryImport("libc", EntryPoint = "mmap")]
        internal static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

        // int madvise(void *addr, size_t length, int advice);
        [LibraryImport("libc", EntryPoint = "madvise")]
        internal static partial int Madvise(nint address, nuint length, int advice);

        // int munmap(void *addr, size_t length);
        [LibraryImport("libc", EntryPoint = "munmap")]
        internal static partial int Munmap(nint address, nuint length);
    }
}
