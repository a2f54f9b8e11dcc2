using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests.Vault;

/// <summary>
/// <see cref="KeyRotation"/> with PRF passkeys (account doc §3.3, bitwarden-sharing-features.md §5.6): each key set made
/// as the web vault makes it comes back re-wrapped for the new user key, and one the current user key does not open
/// stops the rotation.
/// </summary>
public sealed class KeyRotationPasskeyTests
{
    private const string Password = "correct horse battery staple";
    private static readonly KdfConfig Kdf = new(KdfType.Pbkdf2Sha256, 600_000);

    [Fact]
    public void Build_WithAPrfPasskey_WrapsTheNewUserKeyToItsPublicKey_AndPutsThePublicKeyUnderTheNewKey()
    {
        var account = NewAccount.Create($"a-{Guid.NewGuid():N}@example.com", Password, Kdf);
        using var oldKey = UserKeys.Unlock(account.ProtectedUserKey, Password, account.Email, Kdf);
        var prf = RandomNumberGenerator.GetBytes(32);
        var keySet = PrfKeySet.Make(prf, oldKey);
        var id = Guid.NewGuid();

        var request = KeyRotation.Build(Sync(account), Password, passkeys: KeyRotation.ReadPasskeyKeyData(RotationData(id, keySet.EncryptedPublicKey, keySet.EncryptedUserKey)));

        var entry = JsonSerializer.SerializeToNode(Assert.Single(request.AccountUnlockData!.PasskeyUnlockData!))!.AsObject();
        Assert.Equal(["encryptedPublicKey", "encryptedUserKey", "id"], entry.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(id.ToString(), (string?)entry["id"]);
        using var newKey = UserKeys.Unlock(request.AccountUnlockData.MasterPasswordUnlockData!.MasterKeyEncryptedUserKey!, Password, account.Email, Kdf);
        Assert.Equal(request.NewUserKeyId, newKey.KeyId);
        Assert.NotEqual(oldKey.KeyId, newKey.KeyId);

        // The passkey's private key (under its PRF key, untouched) RSA-decrypts the new user key out of encryptedUserKey.
        var encryptedUserKey = (string)entry["encryptedUserKey"]!;
        Assert.Equal(EncryptionType.Rsa2048_OaepSha1_B64, EncString.Parse(encryptedUserKey).Type);
        using var opened = PrfKeySet.Open(prf, keySet.EncryptedPrivateKey, encryptedUserKey);
        Assert.Equal(newKey.ToArray(), opened.ToArray());

        // The same SPKI, now under the new user key only.
        var encryptedPublicKey = EncString.Parse((string)entry["encryptedPublicKey"]!);
        Assert.Equal(EncString.Parse(keySet.EncryptedPublicKey).Decrypt(oldKey), encryptedPublicKey.Decrypt(newKey));
        Assert.ThrowsAny<CryptographicException>(() => encryptedPublicKey.Decrypt(oldKey));
    }

    [Fact]
    public void Build_WithAPasskeyPublicKeyUnderAnotherKey_RefusesNamingThePasskey()
    {
        var account = NewAccount.Create($"a-{Guid.NewGuid():N}@example.com", Password, Kdf);
        using var otherKey = SymmetricKey.Generate();
        var keySet = PrfKeySet.Make(RandomNumberGenerator.GetBytes(32), otherKey);
        var id = Guid.NewGuid();
        var passkeys = KeyRotation.ReadPasskeyKeyData(RotationData(id, keySet.EncryptedPublicKey, keySet.EncryptedUserKey));

        var refused = Assert.Throws<CryptographicException>(() => KeyRotation.Build(Sync(account), Password, passkeys: passkeys));

        Assert.Contains(id.ToString(), refused.Message, StringComparison.Ordinal);
        Assert.NotEqual(EncStringCrypto.NotDecryptable, refused.Message);
    }

    [Theory]
    [InlineData("\"just a string\"")]
    [InlineData("null")]
    [InlineData("""{"encryptedPublicKey":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","encryptedUserKey":"4.AAAA"}""")]
    [InlineData("""{"id":"not a guid","encryptedPublicKey":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","encryptedUserKey":"4.AAAA"}""")]
    [InlineData("""{"id":"8d3b9c2e-1f4a-4b6c-9d8e-7f6a5b4c3d2e","encryptedPublicKey":"not an EncString","encryptedUserKey":"4.AAAA"}""")]
    [InlineData("""{"id":"8d3b9c2e-1f4a-4b6c-9d8e-7f6a5b4c3d2e","encryptedPublicKey":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}""")]
    [InlineData("""{"id":42,"encryptedPublicKey":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","encryptedUserKey":"4.AAAA"}""")]
    public void ReadPasskeyKeyData_WithAMalformedEntry_Refuses(string entry)
    {
        var data = JsonSerializer.Deserialize<KeyRotationDataResponseModel>($$"""{"passkeyKeyData":[{{entry}}]}""", CofferJson.Options)!;

        var refused = Assert.Throws<FormatException>(() => KeyRotation.ReadPasskeyKeyData(data.PasskeyKeyData));

        Assert.Contains("passkeyKeyData", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>The <c>passkeyKeyData</c> of a <c>key-rotation-data</c> answer as the client reads it off the wire.</summary>
    private static IReadOnlyList<object> RotationData(Guid id, string encryptedPublicKey, string encryptedUserKey) =>
        JsonSerializer.Deserialize<KeyRotationDataResponseModel>(
            new JsonObject
            {
                ["organizationPasswordResetKeyData"] = new JsonArray(),
                ["emergencyAccessKeyData"] = new JsonArray(),
                ["trustedDeviceKeyData"] = new JsonArray(),
                ["passkeyKeyData"] = new JsonArray(new JsonObject
                {
                    ["id"] = id.ToString(),
                    ["encryptedPublicKey"] = encryptedPublicKey,
                    ["encryptedUserKey"] = encryptedUserKey,
                    ["object"] = "passkeyKeyData",
                }),
                ["object"] = "keyRotationData",
            }.ToJsonString(),
            CofferJson.Options)!.PasskeyKeyData;

    private static SyncResponseModel Sync(NewAccount account) =>
        JsonSerializer.Deserialize<SyncResponseModel>(
            $$$"""
            {"profile":{"id":"{{{Guid.NewGuid()}}}","email":"{{{account.Email}}}","key":"{{{account.ProtectedUserKey}}}","privateKey":"{{{account.EncryptedPrivateKey}}}",
                        "accountKeys":{"publicKeyEncryptionKeyPair":{"wrappedPrivateKey":"{{{account.EncryptedPrivateKey}}}","publicKey":"{{{account.PublicKey}}}"} },"securityStamp":"s",
                        "organizations":[]},
             "folders":[],"ciphers":[],
             "userDecryption":{"masterPasswordUnlock":{"kdf":{"kdfType":0,"iterations":600000},"masterKeyEncryptedUserKey":"{{{account.ProtectedUserKey}}}","masterKeyWrappedUserKey":"{{{account.ProtectedUserKey}}}","salt":"{{{account.Email}}}"} } }
            """,
            CofferJson.Options)!;
}
