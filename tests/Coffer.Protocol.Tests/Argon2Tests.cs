using System.Security.Cryptography;
using System.Text;
using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Tests;

public sealed class Argon2Tests
{
    [Fact]
    public void Argon2id_MatchesReferenceImplementationVector()
    {
        var tag = Argon2.HashArgon2id(
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
    public void Argon2UnavailableException_NamesTheLibraryAndTheDebianPackage()
    {
        var message = new Argon2UnavailableException().Message;

        Assert.StartsWith("Argon2id needs the native library libargon2.so.1 (Debian package libargon2-1)", message, StringComparison.Ordinal);
    }
}
