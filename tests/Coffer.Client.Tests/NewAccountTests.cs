using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests;

public sealed class NewAccountTests
{
    [Fact]
    public void Create_NormalizesTheEmail_AndProducesTheLoginHashOfTheKeyChain()
    {
        var account = NewAccount.Create(
            ProtocolVectors.Pbkdf2Account.EmailAsTyped, ProtocolVectors.Pbkdf2Account.Password, ProtocolVectors.Pbkdf2Account.Kdf);

        Assert.Equal(ProtocolVectors.Pbkdf2Account.Salt, account.Email);
        Assert.Equal(ProtocolVectors.Pbkdf2Account.Kdf, account.Kdf);
        Assert.Equal(ProtocolVectors.Pbkdf2Account.MasterPasswordHash, account.MasterPasswordHash);
        Assert.True(EncString.TryParse(account.ProtectedUserKey, out _));
        Assert.True(EncString.TryParse(account.EncryptedPrivateKey, out _));
        Assert.Matches("^[0-9a-f]{32}$", account.UserKeyId);
    }

    [Fact]
    public void Create_ThenUnlock_GivesBackTheUserKey_WhoseIdAndPrivateKeyMatch()
    {
        var account = NewAccount.Create("Someone@Example.com", "a long passphrase", KdfConfig.DefaultPbkdf2);

        using var userKey = UserKeys.Unlock(account.ProtectedUserKey, "a long passphrase", "someone@example.com", account.Kdf);

        Assert.Equal(account.UserKeyId, userKey.KeyId);
        using var privateKey = AccountKeyPair.DecryptPrivateKey(EncString.Parse(account.EncryptedPrivateKey), userKey);
        Assert.Equal(Convert.FromBase64String(account.PublicKey), privateKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void Create_WithArgon2id_ThenUnlock_Works()
    {
        var kdf = new KdfConfig(KdfType.Argon2id, 2, 16, 1);
        var account = NewAccount.Create("argon@example.com", "a long passphrase", kdf);

        using var userKey = UserKeys.Unlock(account.ProtectedUserKey, "a long passphrase", "argon@example.com", kdf);

        Assert.Equal(account.UserKeyId, userKey.KeyId);
    }

    [Fact]
    public void Create_WithAKdfOutsideTheLimits_Throws()
    {
        Assert.Throws<ArgumentException>(
            () => NewAccount.Create("a@example.com", "pw", new KdfConfig(KdfType.Pbkdf2Sha256, 100_000)));
    }

    [Fact]
    public void ToString_LeavesOutTheLoginHash()
    {
        var account = new NewAccount("a@example.com", KdfConfig.DefaultPbkdf2, "HASH-VALUE", "2.x", "pub", "2.y", "id");

        var text = account.ToString();

        Assert.DoesNotContain("HASH-VALUE", text, StringComparison.Ordinal);
        Assert.Contains("a@example.com", text, StringComparison.Ordinal);
    }
}
