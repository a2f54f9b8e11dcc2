using System.Security.Cryptography;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Files;

/// <summary>
/// A new attachment's secrets (bitwarden-sharing-features.md §2.7): its own 64-byte key, which encrypts the file, and
/// the <c>key</c> and <c>fileName</c> EncStrings of the upload-slot request, both under the item key.
/// Dispose to zero <see cref="Key"/>.
/// </summary>
public sealed record NewAttachment(SymmetricKey Key, string WrappedKey, string EncryptedFileName) : IDisposable
{
    public void Dispose() => Key.Dispose();
}

/// <summary>
/// Attachment keys and names as the Bitwarden clients compute them (bitwarden-sharing-features.md §2.7): the item key
/// is the cipher's own <c>key</c> unwrapped, else the user key (personal) or the organization key; the attachment key
/// is 64 random bytes wrapped under the item key (type 2), the file name a type 2 EncString under the item key.
/// Attachments from before per-attachment keys have no <c>key</c>; their file is under the item key itself.
/// </summary>
public static class AttachmentCrypto
{
    /// <summary>The key an item's attachments are wrapped under; a copy the caller disposes.</summary>
    /// <exception cref="KeyNotFoundException">An organization item of an organization <paramref name="keys"/> lacks.</exception>
    /// <exception cref="CryptographicException">The item's own key does not decrypt.</exception>
    public static SymmetricKey ItemKey(CipherDetailsResponseModel cipher, VaultKeys keys)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        ArgumentNullException.ThrowIfNull(keys);
        var outer = keys.For(cipher.OrganizationId);
        return VaultCrypto.ItemKey(cipher.Key, outer) ?? Copy(outer);
    }

    /// <summary>A fresh attachment key, wrapped, with <paramref name="fileName"/> encrypted, both under <paramref name="itemKey"/>.</summary>
    public static NewAttachment Create(string fileName, SymmetricKey itemKey)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var key = SymmetricKey.Generate();
        var bytes = key.ToArray();
        try
        {
            return new NewAttachment(key, EncString.Encrypt(bytes, itemKey).ToString(), EncString.EncryptString(fileName, itemKey).ToString());
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The key an attachment's file is encrypted under: its own key unwrapped, or for a keyless legacy attachment the item key (a copy).</summary>
    /// <exception cref="CryptographicException">The wrapped key does not decrypt under <paramref name="itemKey"/>, or is not 64 bytes.</exception>
    public static SymmetricKey FileKey(string? wrappedKey, SymmetricKey itemKey)
    {
        ArgumentNullException.ThrowIfNull(itemKey);
        if (string.IsNullOrEmpty(wrappedKey))
        {
            return Copy(itemKey);
        }

        var bytes = EncString.Parse(wrappedKey).Decrypt(itemKey);
        try
        {
            return bytes.Length == SymmetricKey.Length
                ? new SymmetricKey(bytes)
                : throw new CryptographicException($"An attachment key is {SymmetricKey.Length} bytes; this one is {bytes.Length}.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The attachment's file name in clear.</summary>
    /// <exception cref="CryptographicException">The name does not decrypt under <paramref name="itemKey"/>.</exception>
    public static string FileName(string encryptedFileName, SymmetricKey itemKey) => EncString.Parse(encryptedFileName).DecryptString(itemKey);

    private static SymmetricKey Copy(SymmetricKey key)
    {
        var bytes = key.ToArray();
        try
        {
            return new SymmetricKey(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
