using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests.Organizations;

public sealed class OrganizationKeysTests
{
    private static SymmetricKey FixedOrgKey() => new(Convert.FromBase64String(ProtocolVectors.OrganizationKey.OrgKeyB64));

    [Fact]
    public void FixedOrgKey_DecryptsTheCollectionNameAndItemPasswordVectors()
    {
        using var orgKey = FixedOrgKey();

        Assert.Equal(ProtocolVectors.OrganizationKey.CollectionName, VaultCrypto.DecryptName(ProtocolVectors.OrganizationKey.CollectionNameEncString, orgKey));
        Assert.Equal(ProtocolVectors.OrganizationKey.ItemPassword, EncString.Parse(ProtocolVectors.OrganizationKey.ItemPasswordEncString).DecryptString(orgKey));
        Assert.Equal(ProtocolVectors.OrganizationKey.OrgKeyId, orgKey.KeyId);
    }

    [Fact]
    public void Wrap_IsType4Of344Base64Characters_AndUnwrapsToTheSameKey_ButNeverTwiceTheSame()
    {
        using var userKey = SymmetricKey.Generate();
        var (publicKey, encryptedPrivateKey) = AccountKeyPair.Generate(userKey);
        using var orgKey = FixedOrgKey();

        var wrapped = OrganizationKeys.Wrap(orgKey, publicKey);
        var again = OrganizationKeys.Wrap(orgKey, publicKey);

        Assert.StartsWith("4.", wrapped, StringComparison.Ordinal);
        Assert.Equal(344, wrapped.Length - 2);
        Assert.NotEqual(wrapped, again);
        using var privateKey = AccountKeyPair.DecryptPrivateKey(encryptedPrivateKey, userKey);
        using var unwrapped = OrganizationKeys.Unwrap(wrapped, privateKey);
        Assert.Equal(orgKey.ToArray(), unwrapped.ToArray());

        // What .NET's RSA-OAEP-SHA1 decryption (the doc's §11 check) reads from the same string.
        Assert.Equal(orgKey.ToArray(), privateKey.Decrypt(Convert.FromBase64String(again[2..]), RSAEncryptionPadding.OaepSHA1));
    }

    [Fact]
    public void Unwrap_WithAnotherUsersPrivateKey_OrAType2String_Throws()
    {
        using var userKey = SymmetricKey.Generate();
        var (publicKey, _) = AccountKeyPair.Generate(userKey);
        var (_, otherPrivate) = AccountKeyPair.Generate(userKey);
        using var orgKey = FixedOrgKey();
        using var other = AccountKeyPair.DecryptPrivateKey(otherPrivate, userKey);

        Assert.ThrowsAny<CryptographicException>(() => OrganizationKeys.Unwrap(OrganizationKeys.Wrap(orgKey, publicKey), other));
        Assert.ThrowsAny<CryptographicException>(() => OrganizationKeys.Unwrap(ProtocolVectors.OrganizationKey.CollectionNameEncString, other));
    }

    [Fact]
    public void Create_WrapsANewKeyForTheCreator_AndEncryptsTheOrgPrivateKeyUnderIt()
    {
        using var userKey = SymmetricKey.Generate();
        var (publicKey, encryptedPrivateKey) = AccountKeyPair.Generate(userKey);

        var created = OrganizationKeys.Create(publicKey);
        using var orgKey = created.OrgKey;

        using var privateKey = AccountKeyPair.DecryptPrivateKey(encryptedPrivateKey, userKey);
        using var unwrapped = OrganizationKeys.Unwrap(created.WrappedForCreator, privateKey);
        Assert.Equal(orgKey.ToArray(), unwrapped.ToArray());
        using var orgPrivate = AccountKeyPair.DecryptPrivateKey(EncString.Parse(created.EncryptedPrivateKey), orgKey);
        Assert.Equal(Convert.FromBase64String(created.PublicKey), orgPrivate.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void VaultKeys_DecryptAnOrgItemOfTheSync_WithTheKeyOfItsOrganization()
    {
        using var userKey = SymmetricKey.Generate();
        var (publicKey, encryptedPrivateKey) = AccountKeyPair.Generate(userKey);
        using var orgKey = FixedOrgKey();
        var orgId = Guid.NewGuid();
        var sync = Sync(encryptedPrivateKey.ToString(), orgId, OrganizationKeys.Wrap(orgKey, publicKey), ProtocolVectors.OrganizationKey.CollectionNameEncString);
        var cipher = JsonSerializer.Deserialize<CipherDetailsResponseModel>(
            $$"""
            {"id":"{{Guid.NewGuid()}}","type":1,"organizationId":"{{orgId}}","collectionIds":["{{Guid.NewGuid()}}"],
             "name":"{{ProtocolVectors.OrganizationKey.CollectionNameEncString}}",
             "login":{"password":"{{ProtocolVectors.OrganizationKey.ItemPasswordEncString}}"},
             "edit":false,"viewPassword":true,"revisionDate":"2026-12-04T20:50:36.556Z"}
            """,
            CofferJson.Options)!;

        using var keys = VaultKeys.Open(sync, userKey);
        var item = VaultCrypto.Decrypt(cipher, keys);

        Assert.Equal("S3cret-db", item.Login!.Password);
        Assert.Equal(orgId, item.OrganizationId);
        Assert.False(item.Edit);
        Assert.Equal("Engineering", VaultCrypto.DecryptName(Assert.Single(VaultKeys.Collections(sync)).Name, keys.Organization(orgId)));
        Assert.Throws<KeyNotFoundException>(() => keys.Organization(Guid.NewGuid()));
    }

    [Fact]
    public void EncryptForShare_ReencryptsUnderANewItemKeyWrappedByTheOrgKey_WhetherOrNotTheItemHadOne()
    {
        using var userKey = SymmetricKey.Generate();
        using var orgKey = FixedOrgKey();
        using var oldItemKey = SymmetricKey.Generate();
        var item = new VaultItem { Name = "db", FolderId = Guid.NewGuid(), Login = new LoginView { Username = "root", Password = "S3cret-db", Uris = ["https://db.example"] } };
        var withKey = ToResponse(VaultCrypto.Encrypt(item, userKey) with { Key = EncString.Encrypt(oldItemKey.ToArray(), userKey).ToString() });
        var orgId = Guid.NewGuid();

        var plain = VaultCrypto.EncryptForShare(item, ToResponse(VaultCrypto.Encrypt(item, userKey) with { Key = null }), orgKey, orgId);
        var keyed = VaultCrypto.EncryptForShare(item, withKey, orgKey, orgId);

        Assert.Equal(orgId.ToString(), plain.OrganizationId);
        Assert.Null(plain.FolderId);
        // A legacy item gets an item key too (malicious-server.md BW05): the organization's copy is never keyless.
        using (var plainItemKey = new SymmetricKey(EncString.Parse(plain.Key!).Decrypt(orgKey)))
        {
            Assert.Equal("S3cret-db", EncString.Parse(plain.Login!.Password!).DecryptString(plainItemKey));
        }

        Assert.NotNull(keyed.Key);
        var newItemKeyBytes = EncString.Parse(keyed.Key!).Decrypt(orgKey);
        Assert.NotEqual(oldItemKey.ToArray(), newItemKeyBytes);
        using var newItemKey = new SymmetricKey(newItemKeyBytes);
        Assert.Equal("S3cret-db", EncString.Parse(keyed.Login!.Password!).DecryptString(newItemKey));
        Assert.Equal("db", VaultCrypto.Decrypt(ToResponse(keyed), orgKey).Name);
    }

    private static CipherDetailsResponseModel ToResponse(CipherRequestModel request)
    {
        var json = JsonSerializer.SerializeToNode(request, CofferJson.Options)!.AsObject();
        json["id"] = Guid.NewGuid();
        return json.Deserialize<CipherDetailsResponseModel>(CofferJson.Options)!;
    }

    private static SyncResponseModel Sync(string encryptedPrivateKey, Guid orgId, string wrappedOrgKey, string collectionName) =>
        JsonSerializer.Deserialize<SyncResponseModel>(
            $$$"""
            {"profile":{"id":"{{{Guid.NewGuid()}}}","email":"a@example.com","key":"x","privateKey":"{{{encryptedPrivateKey}}}",
                        "accountKeys":{"publicKeyEncryptionKeyPair":{"wrappedPrivateKey":"{{{encryptedPrivateKey}}}","publicKey":"p"} },"securityStamp":"s",
                        "organizations":[{"id":"{{{orgId}}}","name":"Acme","key":"{{{wrappedOrgKey}}}","status":2,"type":2,"enabled":true,"usePolicies":true,"permissions":{}}]},
             "folders":[],"ciphers":[],
             "collections":[{"id":"{{{Guid.NewGuid()}}}","organizationId":"{{{orgId}}}","name":"{{{collectionName}}}","readOnly":false,"hidePasswords":false,"manage":false,"object":"collectionDetails"}],
             "userDecryption":{"masterPasswordUnlock":{"kdf":{"kdfType":0,"iterations":600000},"masterKeyEncryptedUserKey":"x","masterKeyWrappedUserKey":"x","salt":"a@example.com"} } }
            """,
            CofferJson.Options)!;
}
