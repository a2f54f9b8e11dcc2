using System.Security.Cryptography;
using System.Text;
using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Tests;

public sealed class Argon2Tests
{
    private delegate byte[] Argon2Function(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int iterations, int memoryKiB, int parallelism, int outputLength);

    [Theory]
    [InlineData("selected")]
    [InlineData("native")]
    [InlineData("managed")]
    public void Argon2id_MatchesReferenceImplementationVector(string implementation)
    {
        var tag = Function(implementation)(
            Encoding.UTF8.GetBytes(ProtocolVectors.ReferenceArgon2id.Password),
            Encoding.UTF8.GetBytes(ProtocolVectors.ReferenceArgon2id.Salt),
            ProtocolVectors.ReferenceArgon2id.Iterations,
            ProtocolVectors.ReferenceArgon2id.MemoryKiB,
            ProtocolVectors.ReferenceArgon2id.Parallelism,
            32);

        Assert.Equal(ProtocolVectors.ReferenceArgon2id.TagHex, Convert.ToHexStringLower(tag));
    }

    [Fact]
    public void SdkVector_WithTheRawSalt_GivesADifferentKey()
    {
        // Documents why MasterKeys hashes the salt: the SDK's expected value needs SHA-256("test_key"), not the raw bytes.
        var password = Encoding.UTF8.GetBytes(ProtocolVectors.SdkArgon2id.Password);

        var raw = Argon2.HashArgon2id(password, Encoding.UTF8.GetBytes(ProtocolVectors.SdkArgon2id.Salt), 4, 32 * 1024, 2, 32);
        var hashed = Argon2.HashArgon2id(
            password, SHA256.HashData(Encoding.UTF8.GetBytes(ProtocolVectors.SdkArgon2id.Salt)), 4, 32 * 1024, 2, 32);

        Assert.Equal(ProtocolVectors.SdkArgon2id.RawSaltResultHex, Convert.ToHexStringLower(raw));
        Assert.Equal(ProtocolVectors.SdkArgon2id.MasterKeyHex, Convert.ToHexStringLower(hashed));
    }

    [Fact]
    public void Argon2id_OutputLengthIsTheRequestedLength()
    {
        var tag = Argon2.HashArgon2id("pw"u8, "saltsalt"u8, 1, 64, 1, 48);

        Assert.Equal(48, tag.Length);
    }

    [Fact]
    public void Argon2id_WithASaltShorterThan8Bytes_ThrowsWithTheLibraryMessage()
    {
        var error = Assert.Throws<CryptographicException>(() => Argon2.HashArgon2id("pw"u8, "short"u8, 1, 64, 1, 32));

        Assert.Contains("Salt is too short", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 64, 1, 32)]
    [InlineData(1, 0, 1, 32)]
    [InlineData(1, 64, 0, 32)]
    [InlineData(1, 64, 1, 0)]
    [InlineData(-1, 64, 1, 32)]
    public void Argon2id_WithAZeroOrNegativeCost_Throws(int iterations, int memoryKiB, int parallelism, int outputLength)
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => Argon2.HashArgon2id("pw"u8, "saltsalt"u8, iterations, memoryKiB, parallelism, outputLength));
    }

    [Fact]
    public void ManagedArgon2id_GivesTheSdkVectorsMasterKey()
    {
        var sdk = Argon2.HashManaged(
            Encoding.UTF8.GetBytes(ProtocolVectors.SdkArgon2id.Password),
            SHA256.HashData(Encoding.UTF8.GetBytes(ProtocolVectors.SdkArgon2id.Salt)), 4, 32 * 1024, 2, 32);

        Assert.Equal(ProtocolVectors.SdkArgon2id.MasterKeyHex, Convert.ToHexStringLower(sdk));
    }

    [Fact]
    public void Implementation_IsNativeHere_AndManagedWhenTheLibraryDoesNotLoad()
    {
        // This machine has libargon2-1 (the fast path); a library name that cannot load takes the fallback.
        Assert.True(Argon2.NativeLoads("libargon2.so.1"));
        Assert.Equal(Argon2Implementation.Native, Argon2.Implementation);
        Assert.False(Argon2.NativeLoads("libargon2-missing.so.1"));
        Assert.Equal(Argon2Implementation.Managed, Argon2.Select(Argon2.NativeLoads("libargon2-missing.so.1")));
        Assert.False(Argon2.NativeLoads("libc.so.6"));
    }

    [Theory]
    [InlineData("short", 64, 1, "Salt is too short")]
    [InlineData("saltsalt", 16, 4, "Memory cost is too small")]
    public void ManagedArgon2id_RefusesWhatTheLibraryRefuses_WithItsMessage(string salt, int memoryKiB, int parallelism, string message)
    {
        var error = Assert.Throws<CryptographicException>(() => Argon2.HashManaged("pw"u8, Encoding.UTF8.GetBytes(salt), 1, memoryKiB, parallelism, 32));
        var native = Assert.Throws<CryptographicException>(() => Argon2.HashNative("pw"u8, Encoding.UTF8.GetBytes(salt), 1, memoryKiB, parallelism, 32));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(native.Message, error.Message);
    }

    private static Argon2Function Function(string implementation) => implementation switch
    {
        "native" => Argon2.HashNative,
        "managed" => Argon2.HashManaged,
        _ => Argon2.HashArgon2id,
    };
}
