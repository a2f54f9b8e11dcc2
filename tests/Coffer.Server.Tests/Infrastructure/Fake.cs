using System.Security.Cryptography;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// Syntactically valid protocol values. The server never runs the KDF or decrypts anything, so random bytes in the
/// right shape register and log in an account cheaply.
/// </summary>
public static class Fake
{
    private static readonly Lazy<string> RsaPublicKey = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
    });

    /// <summary>Base64 of an RSA-2048 SubjectPublicKeyInfo, generated once per process.</summary>
    public static string PublicKey => RsaPublicKey.Value;

    public static string Base64(int byteCount) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(byteCount));

    /// <summary>What the client sends as <c>password</c>: Base64 of 32 bytes.</summary>
    public static string MasterPasswordHash() => Base64(32);

    /// <summary>An EncString of type 2: <c>2.iv|ct|mac</c>.</summary>
    public static string EncString() => $"2.{Base64(16)}|{Base64(32)}|{Base64(32)}";

    public static string Email() => $"user-{Guid.NewGuid():N}@example.com";

    public static string DeviceIdentifier() => Guid.NewGuid().ToString();

    /// <summary>A user-key id: 32 lowercase hex characters.</summary>
    public static string UserKeyId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
