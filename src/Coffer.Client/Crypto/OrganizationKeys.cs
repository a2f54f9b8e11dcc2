using System.Security.Cryptography;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Crypto;

/// <summary>What a client creates for a new organization (bitwarden-organizations.md §2.3).</summary>
/// <param name="OrgKey">The 64-byte organization key (encKey ‖ macKey); the caller disposes it.</param>
/// <param name="WrappedForCreator">The org key as EncString type 4 for the creator's own public key: the membership <c>key</c>.</param>
/// <param name="PublicKey">Base64 SPKI of the organization's RSA-2048 key pair.</param>
/// <param name="EncryptedPrivateKey">The organization's PKCS#8 private key as an EncString type 2 under <paramref name="OrgKey"/>.</param>
public sealed record NewOrganizationKeys(SymmetricKey OrgKey, string WrappedForCreator, string PublicKey, string EncryptedPrivateKey);

/// <summary>
/// Organization keys (bitwarden-organizations.md §2): the 64 random bytes every organization item and collection
/// name is encrypted under, wrapped for each Confirmed member with RSA-OAEP-SHA1 as EncString type 4 (§2.2).
/// </summary>
public static class OrganizationKeys
{
    /// <summary>A new org key, its copy for the creator and the organization's own key pair (§2.3).</summary>
    /// <param name="creatorPublicKey">Base64 SPKI of the creating user (sync <c>profile.accountKeys</c> or <c>GET /api/users/{id}/public-key</c>).</param>
    public static NewOrganizationKeys Create(string creatorPublicKey)
    {
        var orgKey = SymmetricKey.Generate();
        try
        {
            var (publicKey, encryptedPrivateKey) = AccountKeyPair.Generate(orgKey);
            return new NewOrganizationKeys(orgKey, Wrap(orgKey, creatorPublicKey), publicKey, encryptedPrivateKey.ToString());
        }
        catch
        {
            orgKey.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <c>"4." + Base64(RSA-OAEP(SHA-1, MGF1-SHA-1)(publicKey, orgKey))</c> (§2.2); randomized, so two wraps differ.
    /// </summary>
    /// <param name="orgKey">The 64-byte organization key.</param>
    /// <param name="publicKey">Base64 DER SubjectPublicKeyInfo (RSA).</param>
    /// <exception cref="CryptographicException">The public key is not a valid RSA SPKI.</exception>
    public static string Wrap(SymmetricKey orgKey, string publicKey)
    {
        ArgumentNullException.ThrowIfNull(orgKey);
        using var rsa = ImportPublicKey(publicKey);
        var plain = orgKey.ToArray();
        try
        {
            return "4." + Convert.ToBase64String(rsa.Encrypt(plain, RSAEncryptionPadding.OaepSHA1));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>A member's org key from its type-4 EncString (the sync profile entry's <c>key</c>) and the member's private key.</summary>
    /// <exception cref="CryptographicException">Not type 4, not decryptable with this key, or not 64 bytes.</exception>
    public static SymmetricKey Unwrap(string wrapped, RSA privateKey) => Unwrap(wrapped, privateKey, "An organization key");

    /// <summary>
    /// Any 64-byte key from a type-4 EncString (<see cref="Wrap"/>'s inverse); <paramref name="what"/> names it in errors.
    /// Emergency access wraps the grantor's user key the same way (bitwarden-sharing-features.md §4.4).
    /// </summary>
    /// <exception cref="CryptographicException">Not type 4, not decryptable with this key, or not 64 bytes.</exception>
    internal static SymmetricKey Unwrap(string wrapped, RSA privateKey, string what)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        var encString = EncString.Parse(wrapped);
        if (encString.Type != EncryptionType.Rsa2048_OaepSha1_B64)
        {
            throw new CryptographicException($"{what} is an EncString type 4 (RSA-OAEP-SHA1); this one is type {(int)encString.Type}.");
        }

        var plain = privateKey.Decrypt(encString.Data.Span, RSAEncryptionPadding.OaepSHA1);
        try
        {
            return plain.Length == SymmetricKey.Length
                ? new SymmetricKey(plain)
                : throw new CryptographicException($"{what} is {SymmetricKey.Length} bytes; this one is {plain.Length}.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static RSA ImportPublicKey(string publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        byte[] spki;
        try
        {
            spki = Convert.FromBase64String(publicKey);
        }
        catch (FormatException e)
        {
            throw new CryptographicException("The public key is not Base64.", e);
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(spki, out var read);
            return read == spki.Length ? rsa : throw new CryptographicException("The public key has trailing bytes after the SPKI structure.");
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }
}
