using System.Security.Cryptography;
using Coffer.Client.Crypto;
using Coffer.Client.Emergency;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Client.Tests.Emergency;

public sealed class EmergencyAccessCryptoTests
{
    private static SymmetricKey GrantorKey() => new(ProtocolVectors.ProtectedUserKey.UserKeyBytes());

    private static (string PublicKey, RSA PrivateKey) Grantee()
    {
        using var granteeUserKey = SymmetricKey.Generate();
        var (publicKey, encryptedPrivateKey) = AccountKeyPair.Generate(granteeUserKey);
        return (publicKey, AccountKeyPair.DecryptPrivateKey(encryptedPrivateKey, granteeUserKey));
    }

    private static EmergencyAccessTakeoverResponseModel TakeoverAnswer(string keyEncrypted, string? salt) => new()
    {
        Kdf = ProtocolVectors.Pbkdf2Account.Kdf.Type,
        KdfIterations = ProtocolVectors.Pbkdf2Account.Kdf.Iterations,
        KeyEncrypted = keyEncrypted,
        Salt = salt,
    };

    [Fact]
    public void WrapUserKey_IsType4_AndOnlyTheGranteesPrivateKeyUnwrapsTheGrantorsKey()
    {
        using var grantorKey = GrantorKey();
        var (publicKey, privateKey) = Grantee();
        using var _ = privateKey;
        var (_, otherPrivate) = Grantee();
        using var __ = otherPrivate;

        var wrapped = EmergencyAccessCrypto.WrapUserKey(grantorKey, publicKey);

        Assert.StartsWith("4.", wrapped, StringComparison.Ordinal);
        Assert.NotEqual(wrapped, EmergencyAccessCrypto.WrapUserKey(grantorKey, publicKey));
        using var unwrapped = EmergencyAccessCrypto.UnwrapGrantorKey(wrapped, privateKey);
        Assert.Equal(ProtocolVectors.ProtectedUserKey.UserKeyBytes(), unwrapped.ToArray());
        Assert.ThrowsAny<CryptographicException>(() => EmergencyAccessCrypto.UnwrapGrantorKey(wrapped, otherPrivate));
        var typeTwo = Assert.ThrowsAny<CryptographicException>(() => EmergencyAccessCrypto.UnwrapGrantorKey(ProtocolVectors.ProtectedUserKey.EncString, privateKey));
        Assert.Contains("grantor's key", typeTwo.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Takeover_WithTheVectorAccountsKdfAndSalt_GivesItsLoginHash_AndAKeyItsPasswordUnlocks()
    {
        using var grantorKey = GrantorKey();
        var (publicKey, privateKey) = Grantee();
        using var _ = privateKey;
        var answer = TakeoverAnswer(EmergencyAccessCrypto.WrapUserKey(grantorKey, publicKey), ProtocolVectors.Pbkdf2Account.Salt);

        var request = EmergencyAccessCrypto.Takeover(answer, privateKey, ProtocolVectors.Pbkdf2Account.Password, grantorEmail: null);

        Assert.Equal(ProtocolVectors.Pbkdf2Account.MasterPasswordHash, request.AuthenticationData!.MasterPasswordAuthenticationHash);
        Assert.Equal(ProtocolVectors.Pbkdf2Account.Salt, request.AuthenticationData.Salt);
        Assert.Equal(request.AuthenticationData.Salt, request.UnlockData!.Salt);
        Assert.Equal(request.AuthenticationData.Kdf, request.UnlockData.Kdf);
        Assert.Equal(KdfSettingsModel.From(ProtocolVectors.Pbkdf2Account.Kdf), request.UnlockData.Kdf);
        Assert.Null(request.NewMasterPasswordHash);
        using var unlocked = UserKeys.Unlock(
            request.UnlockData.MasterKeyWrappedUserKey!, ProtocolVectors.Pbkdf2Account.Password, ProtocolVectors.Pbkdf2Account.EmailAsTyped, ProtocolVectors.Pbkdf2Account.Kdf);
        Assert.Equal(ProtocolVectors.ProtectedUserKey.UserKeyBytes(), unlocked.ToArray());
    }

    [Fact]
    public void Takeover_WithoutASaltInTheAnswer_UsesTheGrantorsEmail_AndWithNeitherThrows()
    {
        using var grantorKey = GrantorKey();
        var (publicKey, privateKey) = Grantee();
        using var _ = privateKey;
        var answer = TakeoverAnswer(EmergencyAccessCrypto.WrapUserKey(grantorKey, publicKey), salt: null);

        var request = EmergencyAccessCrypto.Takeover(answer, privateKey, ProtocolVectors.Pbkdf2Account.Password, ProtocolVectors.Pbkdf2Account.EmailAsTyped);

        Assert.Equal(ProtocolVectors.Pbkdf2Account.Salt, request.UnlockData!.Salt);
        Assert.Equal(ProtocolVectors.Pbkdf2Account.MasterPasswordHash, request.AuthenticationData!.MasterPasswordAuthenticationHash);
        Assert.Throws<ArgumentException>(() => EmergencyAccessCrypto.Takeover(answer, privateKey, "new password", grantorEmail: null));
    }

    [Fact]
    public void Takeover_WithAKdfLoweredByTheServer_IsRefusedBeforeAnythingIsDerived()
    {
        using var grantorKey = GrantorKey();
        var (publicKey, privateKey) = Grantee();
        using var _ = privateKey;
        var answer = TakeoverAnswer(EmergencyAccessCrypto.WrapUserKey(grantorKey, publicKey), "grantor@example.com") with { KdfIterations = 5000 };

        var error = Assert.Throws<ArgumentException>(() => EmergencyAccessCrypto.Takeover(answer, privateKey, "new password", null));
        Assert.Contains("KDF", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenView_DecryptsTheGrantorsPersonalItems_AndLeavesOutOrganizationItems()
    {
        using var grantorKey = GrantorKey();
        var (publicKey, privateKey) = Grantee();
        using var _ = privateKey;
        var item = new VaultItem { Type = CipherType.Login, Name = "Bank", Login = new LoginView { Username = "me", Password = "hunter2" } };
        var personal = Response(VaultCrypto.Encrypt(item, grantorKey), organizationId: null);
        using var orgKey = SymmetricKey.Generate();
        var foreign = Response(VaultCrypto.Encrypt(item with { Name = "Org item" }, orgKey), organizationId: Guid.NewGuid().ToString());
        var view = new EmergencyAccessViewResponseModel { KeyEncrypted = EmergencyAccessCrypto.WrapUserKey(grantorKey, publicKey), Ciphers = [personal, foreign] };

        using var vault = EmergencyAccessCrypto.OpenView(view, privateKey);

        var (cipher, opened) = Assert.Single(vault.Items);
        Assert.Equal(personal.Id, cipher.Id);
        Assert.Equal("Bank", opened.Name);
        Assert.Equal("hunter2", opened.Login!.Password);
        Assert.Equal(ProtocolVectors.ProtectedUserKey.UserKeyBytes(), vault.Keys.UserKey.ToArray());
    }

    private static CipherDetailsResponseModel Response(CipherRequestModel request, string? organizationId) => new()
    {
        Id = Guid.NewGuid(),
        Type = request.Type,
        OrganizationId = organizationId,
        Name = request.Name,
        Notes = request.Notes,
        Key = request.Key,
        Login = request.Login,
    };
}
