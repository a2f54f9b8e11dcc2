using Coffer.Protocol.Crypto;

namespace Coffer.Server.Errors;

/// <summary>Syntax checks for the opaque values clients send; the server never decrypts anything.</summary>
public static class WireValidation
{
    /// <summary>An EncString of type 2 (<c>2.iv|ct|mac</c>, protocol §2.3), the only kind V1 accounts produce.</summary>
    public static bool IsSymmetricEncString(string? value) =>
        EncString.TryParse(value, out var parsed) && parsed.Type == EncryptionType.AesCbc256_HmacSha256_B64;

    /// <summary>Any well-formed EncString (type 2, or the RSA and COSE types of protocol §2.3).</summary>
    public static bool IsEncString(string? value) => EncString.TryParse(value, out _);

    /// <summary>A user-key id: 32 lowercase hexadecimal characters (protocol §2.4).</summary>
    public static bool IsKeyId(string value) => value.Length == 32 && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
