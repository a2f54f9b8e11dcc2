using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Protocol.Crypto;
using Coffer.Testing.Hostile;

namespace Coffer.Client.Tests.Integrity;

/// <summary>The pure account checks of malicious-server.md BW03, BW07, BW11 and BW12.</summary>
public sealed class AccountChecksTests
{
    private static readonly KdfConfig Pbkdf2Default = KdfConfig.DefaultPbkdf2;

    [Theory]
    [InlineData(0, 599_999, null, null, true)]
    [InlineData(0, 600_000, null, null, false)]
    [InlineData(1, 1, 64, 4, true)]
    [InlineData(1, 2, 14, 4, true)]
    [InlineData(1, 2, 15, 0, true)]
    [InlineData(1, 2, null, 1, true)]
    [InlineData(1, 2, 15, 1, false)]
    [InlineData(7, 600_000, null, null, true)]
    public void IsBelowMinimum_IsTheFloorOfValidate(int type, int iterations, int? memory, int? parallelism, bool below)
    {
        Assert.Equal(below, new KdfConfig((KdfType)type, iterations, memory, parallelism).IsBelowMinimum());
    }

    [Fact]
    public void CheckKdf_BelowTheFloorOnFirstUse_IsRefusedAsKdfFloor_WithTheRaiseItSentence()
    {
        var refusal = Assert.Throws<ServerIntegrityException>(() => AccountChecks.CheckKdf(new KdfConfig(KdfType.Pbkdf2Sha256, 5_000), pins: null));

        Assert.Equal("kdf-floor", refusal.Code);
        Assert.Equal("This account's KDF is weaker than Coffer allows (PBKDF2 5,000). Raise it from a client you trust, then try again.", refusal.Message);
    }

    [Theory]
    [InlineData(0, 5_000, null, null)]
    [InlineData(0, 650_000, null, null)]
    [InlineData(1, 6, 64, 4)]
    public void CheckKdf_WeakerOrOfAnotherTypeThanThePin_IsRefusedAsKdfDowngrade(int type, int iterations, int? memory, int? parallelism)
    {
        var pins = Pinned(new KdfConfig(KdfType.Pbkdf2Sha256, 700_000));

        var refusal = Assert.Throws<ServerIntegrityException>(() => AccountChecks.CheckKdf(new KdfConfig((KdfType)type, iterations, memory, parallelism), pins));

        Assert.Equal("kdf-downgrade", refusal.Code);
        Assert.StartsWith("The server asked for a weaker password hashing setting than last time (PBKDF2 700,000 → ", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckKdf_ArgonLowerInOneParameterOnly_IsADowngrade()
    {
        var pins = Pinned(new KdfConfig(KdfType.Argon2id, 3, 64, 4));

        Assert.Equal("kdf-downgrade", Assert.Throws<ServerIntegrityException>(() => AccountChecks.CheckKdf(new KdfConfig(KdfType.Argon2id, 10, 1024, 3), pins)).Code);
    }

    [Fact]
    public void CheckKdf_EqualOrHigherThanThePin_Passes_AndLeavesThePinForTheUnlock()
    {
        var pins = Pinned(Pbkdf2Default);

        AccountChecks.CheckKdf(Pbkdf2Default, pins);
        AccountChecks.CheckKdf(new KdfConfig(KdfType.Pbkdf2Sha256, 900_000), pins);

        Assert.Equal(Pbkdf2Default, pins.Kdf);
    }

    [Fact]
    public void CheckSameKdf_OtherThanTheOneUsed_IsRefusedAsKdfMismatch_AndMissingIsNotChecked()
    {
        AccountChecks.CheckSameKdf(Pbkdf2Default, null, "the sync");
        AccountChecks.CheckSameKdf(Pbkdf2Default, new KdfConfig(KdfType.Pbkdf2Sha256, 600_000), "the sync");

        var refusal = Assert.Throws<ServerIntegrityException>(() => AccountChecks.CheckSameKdf(Pbkdf2Default, new KdfConfig(KdfType.Pbkdf2Sha256, 600_001), "the sync"));
        Assert.Equal("kdf-mismatch", refusal.Code);
        Assert.Contains("(PBKDF2 600,000 → PBKDF2 600,001)", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "keys-missing")]
    [InlineData("", "keys-missing")]
    [InlineData("not an EncString", "userkey-type")]
    [InlineData("0.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==", "userkey-type0")]
    [InlineData("4.AAAA", "userkey-type")]
    public void CheckProtectedUserKey_AnythingButType2_IsRefused(string? value, string code)
    {
        Assert.Equal(code, Assert.Throws<ServerIntegrityException>(() => AccountChecks.CheckProtectedUserKey(value)).Code);
    }

    [Fact]
    public void CheckProtectedUserKey_OfAType2Value_ReturnsIt()
    {
        using var key = SymmetricKey.Generate();
        var wrapped = EncString.Encrypt(new byte[64], key).ToString();

        Assert.Equal(wrapped, AccountChecks.CheckProtectedUserKey(wrapped).ToString());
    }

    [Fact]
    public void CheckUserKeyLength_AnythingButSixtyFour_IsRefusedAsUserKey32Byte()
    {
        AccountChecks.CheckUserKeyLength(64);
        Assert.Equal("userkey-32byte", Assert.Throws<ServerIntegrityException>(() => AccountChecks.CheckUserKeyLength(32)).Code);
    }

    [Fact]
    public void PinUnlock_OnFirstUse_PinsKdfKeyIdAndType_WithoutWarnings()
    {
        var pins = AccountPins.Create("https://vault.example.org/", "ann@example.com");
        using var key = SymmetricKey.Generate();

        var warnings = AccountChecks.PinUnlock(pins, Pbkdf2Default, key);

        Assert.Empty(warnings);
        Assert.Equal(Pbkdf2Default, pins.Kdf);
        Assert.Equal(key.KeyId, pins.UserKeyId);
        Assert.Equal(2, pins.ProtectedUserKeyType);
    }

    [Fact]
    public void PinUnlock_WithANewKeyId_WarnsUserKeyRotated_AndRepinsTheNewKeyAndAHigherKdf()
    {
        using var old = SymmetricKey.Generate();
        using var rotated = SymmetricKey.Generate();
        var pins = Pinned(Pbkdf2Default);
        pins.UserKeyId = old.KeyId;
        var higher = new KdfConfig(KdfType.Pbkdf2Sha256, 800_000);

        var warning = Assert.Single(AccountChecks.PinUnlock(pins, higher, rotated));

        Assert.Equal("userkey-rotated", warning.Code);
        Assert.Equal(rotated.KeyId, pins.UserKeyId);
        Assert.Equal(higher, pins.Kdf);
    }

    [Fact]
    public void CheckServerVersion_Older_Warns_WithoutLoweringThePin_AndNewerRepins()
    {
        var pins = Pinned(Pbkdf2Default);

        Assert.Null(AccountChecks.CheckServerVersion(pins, "2026.9.0"));
        Assert.Null(AccountChecks.CheckServerVersion(pins, "2026.10.1"));
        var warning = AccountChecks.CheckServerVersion(pins, "2023.1.0");

        Assert.Equal("server-version", warning?.Code);
        Assert.Equal("2026.10.1", pins.HighestServerVersion);
    }

    [Theory]
    [InlineData("2026.9.0", "2026.10.0", -1)]
    [InlineData("2026.10.0", "2026.9.0", 1)]
    [InlineData("2026.9", "2026.9.0", 0)]
    [InlineData("2026.9.1-beta", "2026.9.0", 1)]
    public void CompareVersions_ComparesDottedPartsAsNumbers(string left, string right, int sign)
    {
        Assert.Equal(sign, Math.Sign(AccountChecks.CompareVersions(left, right)));
    }

    [Theory]
    [InlineData("""{"UserDecryptionOptions":{"HasMasterPassword":true,"KeyConnectorOption":{"KeyConnectorUrl":"https://kc.example"},"MasterPasswordUnlock":{"MasterKeyEncryptedUserKey":"2.x"}},"Key":"2.x","PrivateKey":"2.y"}""")]
    [InlineData("""{"UserDecryptionOptions":{"HasMasterPassword":true,"TrustedDeviceOption":{"HasAdminApproval":false},"MasterPasswordUnlock":{"MasterKeyEncryptedUserKey":"2.x"}},"Key":"2.x","PrivateKey":"2.y"}""")]
    [InlineData("""{"UserDecryptionOptions":{"HasMasterPassword":false,"MasterPasswordUnlock":{"MasterKeyEncryptedUserKey":"2.x"}},"Key":"2.x","PrivateKey":"2.y"}""")]
    [InlineData("""{"KeyConnectorUrl":"https://kc.example","Key":"2.x","PrivateKey":"2.y"}""")]
    public void CheckTokenAnswer_WithKeyConnectorOrTrustedDeviceFields_IsRefusedAsKcConvert(string json)
    {
        Assert.Equal("kc-convert", Assert.Throws<ServerIntegrityException>(() => CheckToken(json)).Code);
    }

    [Theory]
    [InlineData("""{"Key":null,"PrivateKey":"2.y","UserDecryptionOptions":{"MasterPasswordUnlock":{"MasterKeyEncryptedUserKey":null}}}""")]
    [InlineData("""{"Key":"2.x","PrivateKey":null,"AccountKeys":null}""")]
    [InlineData("""{"Key":"2.x","PrivateKey":"2.y","UserDecryptionOptions":{"HasMasterPassword":true}}""")]
    public void CheckTokenAnswer_WithoutTheAccountKeys_IsRefusedAsKeysMissing(string json)
    {
        Assert.Equal("keys-missing", Assert.Throws<ServerIntegrityException>(() => CheckToken(json)).Code);
    }

    [Fact]
    public void CheckTokenAnswer_OfAnHonestPasswordGrant_Passes_AndIgnoresTheAccessTokenClaims()
    {
        CheckToken("""
            {"access_token":"e30.eyJhbXIiOlsiZXh0ZXJuYWwiXX0.x","Key":"2.x","PrivateKey":"2.y","KeyConnectorUrl":null,
             "UserDecryptionOptions":{"HasMasterPassword":true,"KeyConnectorOption":null,"TrustedDeviceOption":null,
             "MasterPasswordUnlock":{"MasterKeyEncryptedUserKey":"2.x"}}}
            """);
    }

    [Theory]
    [InlineData("""{"profile":{"usesKeyConnector":true,"key":"2.x","privateKey":"2.y","organizations":[]},"userDecryption":{"masterPasswordUnlock":{"masterKeyEncryptedUserKey":"2.x"}}}""")]
    [InlineData("""{"profile":{"key":"2.x","privateKey":"2.y","organizations":[{"id":"o","keyConnectorEnabled":true}]},"userDecryption":{"masterPasswordUnlock":{"masterKeyEncryptedUserKey":"2.x"}}}""")]
    [InlineData("""{"profile":{"key":"2.x","privateKey":"2.y","organizations":[{"id":"o","keyConnectorUrl":"https://kc.example"}]},"userDecryption":{"masterPasswordUnlock":{"masterKeyEncryptedUserKey":"2.x"}}}""")]
    [InlineData("""{"profile":{"key":"2.x","privateKey":"2.y","organizations":[]},"userDecryption":{"keyConnectorOption":{},"masterPasswordUnlock":{"masterKeyEncryptedUserKey":"2.x"}}}""")]
    public void CheckSyncAnswer_WithKeyConnectorFields_IsRefusedAsKcConvert(string json)
    {
        Assert.Equal("kc-convert", Assert.Throws<ServerIntegrityException>(() => CheckSync(json)).Code);
    }

    [Theory]
    [InlineData("""{"profile":{"key":null,"privateKey":"2.y"},"userDecryption":{"masterPasswordUnlock":{"masterKeyEncryptedUserKey":"2.x"}}}""")]
    [InlineData("""{"profile":{"key":"2.x","privateKey":null,"accountKeys":null},"userDecryption":{"masterPasswordUnlock":{"masterKeyEncryptedUserKey":"2.x"}}}""")]
    [InlineData("""{"profile":{"key":"2.x","privateKey":"2.y"},"userDecryption":{}}""")]
    public void CheckSyncAnswer_WithoutTheAccountKeys_IsRefusedAsKeysMissing(string json)
    {
        Assert.Equal("keys-missing", Assert.Throws<ServerIntegrityException>(() => CheckSync(json)).Code);
    }

    [Fact]
    public void CheckSyncAnswer_OfAnHonestSync_Passes()
    {
        CheckSync("""
            {"profile":{"usesKeyConnector":false,"key":"2.x","privateKey":"2.y",
              "organizations":[{"id":"o","useKeyConnector":false,"keyConnectorEnabled":false,"keyConnectorUrl":null}]},
             "userDecryption":{"masterPasswordUnlock":{"masterKeyEncryptedUserKey":"2.x"}}}
            """);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void ForgeLegacyUserKey_DecryptsUnderTheMasterKey_ToAKeyWhoseFirstHalfTheServerKnows(int length)
    {
        var masterKey = RandomNumberGenerator.GetBytes(32);

        var (text, known) = AccountScenarios.ForgeLegacyUserKey(masterKey, length);

        var forged = EncString.Parse(text);
        Assert.Equal(EncryptionType.AesCbc256_B64, forged.Type);
        using var aes = Aes.Create();
        aes.Key = masterKey;
        var plain = aes.DecryptCbc(forged.Data.Span, forged.Iv.Span, PaddingMode.PKCS7);
        Assert.Equal(length, plain.Length);
        Assert.Equal(length / 2, known.Length);
        Assert.Equal(known, plain[..known.Length]);
    }

    private static AccountPins Pinned(KdfConfig kdf)
    {
        var pins = AccountPins.Create("https://vault.example.org", "ann@example.com");
        pins.Kdf = kdf;
        return pins;
    }

    private static void CheckToken(string json)
    {
        using var document = JsonDocument.Parse(json);
        AccountChecks.CheckTokenAnswer(document.RootElement);
    }

    private static void CheckSync(string json)
    {
        using var document = JsonDocument.Parse(json);
        AccountChecks.CheckSyncAnswer(document.RootElement);
    }
}
