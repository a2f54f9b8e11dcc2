namespace Coffer.Protocol.Crypto;

/// <summary>
/// The key derivation function that turns a master password into a master key.
/// Wire values follow the Bitwarden clients' <c>KdfType</c> enum (protocol §2.1).
/// </summary>
public enum KdfType
{
    Pbkdf2Sha256 = 0,
    Argon2id = 1,
}
