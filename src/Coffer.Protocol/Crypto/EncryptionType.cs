namespace Coffer.Protocol.Crypto;

/// <summary>
/// The number before the dot of an EncString (protocol §2.3). Coffer produces only
/// <see cref="AesCbc256_HmacSha256_B64"/>; the others are recognised so stored data can be validated.
/// Value 1 was never used upstream and is therefore absent.
/// </summary>
#pragma warning disable CA1707 // Member names keep upstream's spelling so they can be compared with the clients.
public enum EncryptionType
{
    AesCbc256_B64 = 0,
    AesCbc256_HmacSha256_B64 = 2,
    Rsa2048_OaepSha256_B64 = 3,
    Rsa2048_OaepSha1_B64 = 4,
    Rsa2048_OaepSha256_HmacSha256_B64 = 5,
    Rsa2048_OaepSha1_HmacSha256_B64 = 6,
    CoseEncrypt0 = 7,
}
#pragma warning restore CA1707
