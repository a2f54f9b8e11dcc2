using System.Security.Cryptography;
using Coffer.Client.Crypto;
using Coffer.Client.Files;

namespace Coffer.Client.Tests.Files;

public sealed class EncArrayBufferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(65_536)]
    [InlineData(200_003)]
    public async Task StreamingRoundTrip_GivesBackTheBytes_AtTheAnnouncedLength(int size)
    {
        using var key = SymmetricKey.Generate();
        var plaintext = RandomNumberGenerator.GetBytes(size);
        using var encrypted = new MemoryStream();
        using var decrypted = new MemoryStream();

        var length = await EncArrayBuffer.EncryptAsync(new MemoryStream(plaintext), encrypted, key);
        await EncArrayBuffer.DecryptAsync(encrypted, decrypted, key);

        Assert.Equal(EncArrayBuffer.EncryptedLength(size), length);
        Assert.Equal(length, encrypted.Length);
        Assert.Equal(plaintext, decrypted.ToArray());
        Assert.Equal(plaintext, EncArrayBuffer.Decrypt(encrypted.ToArray(), key));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(49)]
    [InlineData(100_000)]
    [InlineData(100_048)]
    public async Task AnyFlippedByte_IsRefused_BeforeAnyPlaintextIsWritten(int position)
    {
        using var key = SymmetricKey.Generate();
        var file = EncArrayBuffer.Encrypt(RandomNumberGenerator.GetBytes(100_000), key);
        file[position] ^= 0x01;
        using var output = new MemoryStream();

        await Assert.ThrowsAsync<CryptographicException>(() => EncArrayBuffer.DecryptAsync(new MemoryStream(file), output, key));

        Assert.Equal(0, output.Length);
        Assert.Throws<CryptographicException>(() => EncArrayBuffer.Decrypt(file, key));
    }

    [Fact]
    public async Task AnotherKey_IsRefused_WithNothingWritten()
    {
        using var key = SymmetricKey.Generate();
        using var other = SymmetricKey.Generate();
        var file = EncArrayBuffer.Encrypt([1, 2, 3], key);
        using var output = new MemoryStream();

        await Assert.ThrowsAsync<CryptographicException>(() => EncArrayBuffer.DecryptAsync(new MemoryStream(file), output, other));

        Assert.Equal(0, output.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    [InlineData(66)]
    public void TruncatedOrPartialBlocks_AreRefused(int length)
    {
        using var key = SymmetricKey.Generate();
        var file = EncArrayBuffer.Encrypt(new byte[40], key);

        Assert.Throws<CryptographicException>(() => EncArrayBuffer.Decrypt(file.AsSpan(0, Math.Min(length, file.Length)), key));
    }

    [Fact]
    public void AnotherTypeByte_IsRefused()
    {
        using var key = SymmetricKey.Generate();
        var file = EncArrayBuffer.Encrypt(new byte[40], key);
        file[0] = 0;

        Assert.Throws<CryptographicException>(() => EncArrayBuffer.Decrypt(file, key));
    }

    [Fact]
    public void NewAttachment_KeyAndNameOpenUnderTheItemKey_AndALegacyAttachmentUsesTheItemKey()
    {
        using var itemKey = SymmetricKey.Generate();
        using var attachment = AttachmentCrypto.Create("passport scan.pdf", itemKey);

        using var opened = AttachmentCrypto.FileKey(attachment.WrappedKey, itemKey);
        using var legacy = AttachmentCrypto.FileKey(null, itemKey);

        Assert.Equal(attachment.Key.ToArray(), opened.ToArray());
        Assert.Equal("passport scan.pdf", AttachmentCrypto.FileName(attachment.EncryptedFileName, itemKey));
        Assert.Equal(itemKey.ToArray(), legacy.ToArray());
    }
}
