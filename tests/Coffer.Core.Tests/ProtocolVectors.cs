using Coffer.Core.Crypto;

namespace Coffer.Core.Tests;

/// <summary>
/// Known-answer vectors from /work/shared/protocol/bitwarden.md §2.5, in one place so other suites
/// (server fixtures, CLI, the web vault's crypto) can reuse them.
/// </summary>
public static class ProtocolVectors
{
    /// <summary>First PBKDF2 account: the e-mail exactly as typed, with spaces and capitals.</summary>
    public static class Pbkdf2Account
    {
        public const string EmailAsTyped = "  Test.User@Example.com ";
        public const string Salt = "test.user@example.com";
        public const string Password = "correct horse battery staple";
        public const string MasterKeyHex = "1ab846b8415946636c38be723fa63a3c53e99b08e8c0de09f9f978995fc5b377";
        public const string MasterKeyBase64 = "GrhGuEFZRmNsOL5yP6Y6PFPpmwjowN4J+fl4mV/Fs3c=";
        public const string MasterPasswordHash = "8AEEbHxCm2lc7xB4rDSd7kTuEFYiwVr9OP7XJIuDWno=";
        public const string StretchedEncKeyHex = "e5b5ebcb7ed7d6fb5113c44062b29c0d7108371e91a21960000a85976d1e02f2";
        public const string StretchedMacKeyHex = "f813176aa461572cc22c6f808552646851acfdb6a79f0266cc2086366db488e2";

        public static KdfConfig Kdf => new(KdfType.Pbkdf2Sha256, 600_000);
    }

    /// <summary>Second PBKDF2 account, the one used for the mock CLI traffic.</summary>
    public static class MockAccount
    {
        public const string Email = "test@example.com";
        public const string Password = "Password-1234567";
        public const string MasterKeyHex = "1178ae81fa2c1be46b5335aeded0c322c15e20ae299170f554b3c1097ad5ba04";
        public const string MasterPasswordHash = "sRdzma/ecMox7qJm39vJim59TuxhfOe2waJsA3gI21g=";

        public static KdfConfig Kdf => new(KdfType.Pbkdf2Sha256, 600_000);
    }

    /// <summary>The fixed test user key (bytes 0x00..0x3f) wrapped under the first PBKDF2 account's stretched key.</summary>
    public static class ProtectedUserKey
    {
        public const string IvHex = "101112131415161718191a1b1c1d1e1f";
        public const string MacHex = "11a3e73861e0efcd92964804d345afc8b7d5a1d6ec72a5e195e7b95702c9dde6";
        public const string UserKeyId = "ac4ecffb2e087a59180d1dd19950b8e9";

        public const string EncString =
            "2.EBESExQVFhcYGRobHB0eHw==|fjUj+qXsOw8q74Q2cj0SW5sLFjEx6f9sNc1okj59wFpakPJFrvjFZsYneilVqpmgBJSqR2gV1I4pqt2ILVAe85gL7wXJChpbEjofiX8kiVY=|EaPnOGHg782SlkgE00WvyLfVodbscqXhlee5VwLJ3eY=";

        /// <summary>The 64 bytes 0x00, 0x01, …, 0x3f.</summary>
        public static byte[] UserKeyBytes() => [.. Enumerable.Range(0, 64).Select(i => (byte)i)];
    }

    /// <summary>A vault field encrypted under the test user key.</summary>
    public static class FieldEncString
    {
        public const string Plaintext = "Hello, Bitwarden";
        public const string IvHex = "202122232425262728292a2b2c2d2e2f";

        public const string EncString =
            "2.ICEiIyQlJicoKSorLC0uLw==|19uTEO+jRM10UBP+ispCIUz8VEHlXprzd11N7YirwJ0=|RcTZUAN3R2QrOF23pffDeCPXTJop7Fl7qfQWAGXCS0E=";
    }

    /// <summary>Coffer's own Argon2id vector, computed with the SDK's derive_kdf_material.</summary>
    public static class Argon2idAccount
    {
        public const string Email = "test.user@example.com";
        public const string Password = "correct horse battery staple";
        public const string SaltSha256Hex = "a97d7a4513204a9cc7cb2f11d72d41a59b18d1ba633d22e58d53c625518f5203";
        public const string MasterKeyHex = "3ce679855074be1f49702020568dd0ee12f2abb3b39c8965c96a14df2ba90dc5";

        public static KdfConfig Kdf => new(KdfType.Argon2id, 3, 64, 4);
    }

    /// <summary>
    /// The SDK's own Argon2id unit-test vector (bitwarden-crypto kdf.rs). The SDK hashes the salt string with
    /// SHA-256 before Argon2 here too: Argon2id(password, SHA-256("test_key"), …) gives the expected value,
    /// while the raw 8-byte salt "test_key" gives f862b03e…, so the vector is reproduced through the same path
    /// as an e-mail salt.
    /// </summary>
    public static class SdkArgon2id
    {
        public const string Salt = "test_key";
        public const string Password = "67t9b5g67$%Dh89n";
        public const string MasterKeyHex = "cff0e1b1a213a34c626ab3afe00911f01493ed2ff6968db83ee183f23335e1f2";
        public const string RawSaltResultHex = "f862b03ed0b048dec763159273269514870ddc270f3be51379a66d0b92f59733";

        public static KdfConfig Kdf => new(KdfType.Argon2id, 4, 32, 2);
    }

    /// <summary>
    /// The reference implementation's own Argon2id known answer (phc-winner-argon2 src/test.c, v=0x13):
    /// "password" / "somesalt", t = 2, m = 65 536 KiB, p = 1, 32 bytes. RFC 9106 §5.3's vector needs a secret
    /// key K and associated data X, which argon2id_hash_raw cannot take, so this one stands in for it.
    /// </summary>
    public static class ReferenceArgon2id
    {
        public const string Password = "password";
        public const string Salt = "somesalt";
        public const int Iterations = 2;
        public const int MemoryKiB = 65_536;
        public const int Parallelism = 1;
        public const string TagHex = "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7";
        public const string Encoded = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
    }
}
