using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>Account doc §3.3: the rotation data and the one-request rotation of the user key and the whole vault.</summary>
public sealed class KeyRotationTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task RotationData_HasAllFourListsEmpty()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.GetAsync(AccountChanges.RotationDataUrl);

        var data = await response.ExpectObjectAsync();
        foreach (var list in new[] { "organizationPasswordResetKeyData", "emergencyAccessKeyData", "trustedDeviceKeyData", "passkeyKeyData" })
        {
            Assert.Empty(data.RequireArray(list));
        }

        Assert.Equal("keyRotationData", (string?)data["object"]);
    }

    [Fact]
    public async Task Rotate_ReplacesEveryCipherFolderAndKey_ThenSyncShowsThemAndTheNewKeyId()
    {
        var account = await TestAccount.CreateAsync(factory);
        var vault = await VaultAsync(account);
        var rotation = Rotation(account, vault);

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        await AccountChanges.AssertSessionEndedAsync(account);
        var token = await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash);
        Assert.NotNull(token);
        Assert.Equal(rotation.NewKey, (string?)token.Cli("Key"));
        var sync = await SyncAsync(token);
        Assert.Equal(rotation.KeyId, (string?)sync["userDecryption"]!["userKeyId"]);
        Assert.Equal(rotation.NewKey, (string?)sync["profile"]!["key"]);
        Assert.Equal(rotation.PrivateKey, (string?)sync["profile"]!["privateKey"]);
        Assert.Equal(account.Credentials.PublicKey, (string?)sync["profile"]!["accountKeys"]!["publicKeyEncryptionKeyPair"]!["publicKey"]);
        foreach (var sent in rotation.Ciphers)
        {
            var synced = sync.RequireArray("ciphers").ById((string)sent["id"]!)!;
            Assert.Equal((string?)sent["name"], (string?)synced["name"]);
            Assert.Equal((string?)sent["login"]?["password"], (string?)synced["login"]?["password"]);
        }

        foreach (var sent in rotation.Folders)
        {
            Assert.Equal((string?)sent["name"], (string?)sync.RequireArray("folders").ById((string)sent["id"]!)!["name"]);
        }

        Assert.NotNull(sync.RequireArray("ciphers").ById(vault.TrashedId)!["deletedDate"]);
        Assert.Contains(EventType.UserRotatedKeys, await AccountChanges.AuditEventsAsync(factory, account.UserId));
        Assert.DoesNotContain(EventType.UserChangedPassword, await AccountChanges.AuditEventsAsync(factory, account.UserId));
    }

    [Fact]
    public async Task Rotate_WithANewPassword_OnlyTheNewHashLogsIn_AndEvent1001IsRecorded()
    {
        var account = await TestAccount.CreateAsync(factory);
        var rotation = Rotation(account, await VaultAsync(account));
        var newHash = Fake.MasterPasswordHash();
        rotation.Unlock["masterKeyAuthenticationHash"] = newHash;

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Null(await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash));
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, account.Email, newHash));
        Assert.Contains(EventType.UserChangedPassword, await AccountChanges.AuditEventsAsync(factory, account.UserId));
    }

    [Fact]
    public async Task Rotate_OfAnEmptyVault_Works()
    {
        var account = await TestAccount.CreateAsync(factory);
        var rotation = Rotation(account, new Vault([], [], ""));

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("missingCipher")]
    [InlineData("missingFolder")]
    [InlineData("duplicateCipher")]
    [InlineData("duplicateFolder")]
    [InlineData("cipherWithoutId")]
    [InlineData("unknownCipherId")]
    [InlineData("cipherNameNotEncString")]
    [InlineData("cipherTypeChanged")]
    [InlineData("cipherForOrganization")]
    [InlineData("cipherInUnknownFolder")]
    [InlineData("folderNameNotEncString")]
    [InlineData("wrongOldHash")]
    [InlineData("missingOldHash")]
    [InlineData("publicKeyChanged")]
    [InlineData("privateKeyNotEncString")]
    [InlineData("privateKeyCopiesDisagree")]
    [InlineData("kdfChanged")]
    [InlineData("saltChanged")]
    [InlineData("containedKeyIdDisagrees")]
    [InlineData("newKeyIdNotHex")]
    [InlineData("newUserKeyNotEncString")]
    [InlineData("newHashNotBase64")]
    [InlineData("hintTooLong")]
    [InlineData("sendsNotEmpty")]
    [InlineData("emergencyAccessNotEmpty")]
    [InlineData("deviceKeysNotEmpty")]
    [InlineData("noUnlockData")]
    [InlineData("noAccountKeys")]
    public async Task Rotate_WithADefect_Returns400_AndChangesNothing(string defect)
    {
        var account = await TestAccount.CreateAsync(factory);
        var vault = await VaultAsync(account);
        var rotation = Rotation(account, vault);
        var ciphers = (JsonArray)rotation.Body["accountData"]!["ciphers"]!;
        var folders = (JsonArray)rotation.Body["accountData"]!["folders"]!;
        switch (defect)
        {
            case "missingCipher": ciphers.RemoveAt(0); break;
            case "missingFolder": folders.RemoveAt(0); break;
            case "duplicateCipher": ciphers.Add(ciphers[0]!.DeepClone()); break;
            case "duplicateFolder": folders.Add(folders[0]!.DeepClone()); break;
            case "cipherWithoutId": ciphers[0]!.AsObject().Remove("id"); break;
            case "unknownCipherId": ciphers[0]!["id"] = Guid.NewGuid().ToString(); break;
            case "cipherNameNotEncString": ciphers[0]!["name"] = "plain text"; break;
            case "cipherTypeChanged": ciphers[0]!["type"] = 2; ciphers[0]!.AsObject().Remove("login"); ciphers[0]!["secureNote"] = new JsonObject { ["type"] = 0 }; break;
            case "cipherForOrganization": ciphers[0]!["organizationId"] = Guid.NewGuid().ToString(); break;
            case "cipherInUnknownFolder": ciphers[0]!["folderId"] = Guid.NewGuid().ToString(); break;
            case "folderNameNotEncString": folders[0]!["name"] = "Work"; break;
            case "wrongOldHash": rotation.Body["oldMasterKeyAuthenticationHash"] = Fake.MasterPasswordHash(); break;
            case "missingOldHash": rotation.Body.Remove("oldMasterKeyAuthenticationHash"); break;
            case "publicKeyChanged": rotation.Body["accountKeys"]!["accountPublicKey"] = Fake.Base64(294); break;
            case "privateKeyNotEncString": rotation.Body["accountKeys"]!["userKeyEncryptedAccountPrivateKey"] = "garbage"; rotation.Body["accountKeys"]!["publicKeyEncryptionKeyPair"]!["wrappedPrivateKey"] = "garbage"; break;
            case "privateKeyCopiesDisagree": rotation.Body["accountKeys"]!["publicKeyEncryptionKeyPair"]!["wrappedPrivateKey"] = Fake.EncString(); break;
            case "kdfChanged": rotation.Unlock["kdfIterations"] = 700_000; break;
            case "saltChanged": rotation.Unlock["email"] = Fake.Email(); rotation.Unlock["masterPasswordSalt"] = rotation.Unlock["email"]!.DeepClone(); break;
            case "containedKeyIdDisagrees": rotation.Unlock["containedKeyId"] = Fake.UserKeyId(); break;
            case "newKeyIdNotHex": rotation.Body["newUserKeyId"] = "ZZ" + rotation.KeyId[2..]; rotation.Unlock.Remove("containedKeyId"); break;
            case "newUserKeyNotEncString": rotation.Unlock["masterKeyEncryptedUserKey"] = "2.x|y|z"; break;
            case "newHashNotBase64": rotation.Unlock["masterKeyAuthenticationHash"] = "%%%"; break;
            case "hintTooLong": rotation.Unlock["masterPasswordHint"] = new string('h', 51); break;
            case "sendsNotEmpty": rotation.Body["accountData"]!["sends"] = new JsonArray(new JsonObject { ["id"] = Guid.NewGuid().ToString() }); break;
            case "emergencyAccessNotEmpty": rotation.Body["accountUnlockData"]!["emergencyAccessUnlockData"] = new JsonArray(new JsonObject { ["id"] = Guid.NewGuid().ToString() }); break;
            case "deviceKeysNotEmpty": rotation.Body["accountUnlockData"]!["deviceKeyUnlockData"] = new JsonArray(new JsonObject { ["deviceId"] = Guid.NewGuid().ToString() }); break;
            case "noUnlockData": rotation.Body.Remove("accountUnlockData"); break;
            default: rotation.Body.Remove("accountKeys"); break;
        }

        var before = await account.SyncAsync();

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        if (defect is "wrongOldHash" or "missingOldHash")
        {
            Assert.Equal("Invalid password.", (string?)error["message"]);
        }

        Assert.True(Json.DeepEquals(before, await account.SyncAsync()), "a refused rotation changed the vault");
        Assert.NotNull(await AccountChanges.TryLoginAsync(factory, account.Email, account.Credentials.MasterPasswordHash));
    }

    [Fact]
    public async Task Rotate_MissingOneCipher_SaysAllCiphersMustBeIncluded()
    {
        var account = await TestAccount.CreateAsync(factory);
        var rotation = Rotation(account, await VaultAsync(account));
        ((JsonArray)rotation.Body["accountData"]!["ciphers"]!).RemoveAt(1);

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("All existing ciphers must be included in the rotation.", (string?)error["message"]);
    }

    [Fact]
    public async Task Rotate_NamingAnotherUsersCipher_Returns400_AndNeitherVaultChanges()
    {
        var victim = await TestAccount.CreateAsync(factory);
        var victimCipher = await victim.CreateCipherAsync();
        var attacker = await TestAccount.CreateAsync(factory);
        var rotation = Rotation(attacker, await VaultAsync(attacker));
        var stolen = Payloads.LoginCipher();
        stolen["id"] = victimCipher.RequireString("id");
        ((JsonArray)rotation.Body["accountData"]!["ciphers"]!).Add(stolen);
        var victimBefore = await victim.SyncAsync();
        var attackerBefore = await attacker.SyncAsync();

        using var response = await attacker.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.True(Json.DeepEquals(victimBefore, await victim.SyncAsync()));
        Assert.True(Json.DeepEquals(attackerBefore, await attacker.SyncAsync()));
    }

    [Fact]
    public async Task Rotate_CipherIntoAnotherUsersFolder_Returns400()
    {
        var victim = await TestAccount.CreateAsync(factory);
        var victimFolder = await victim.CreateFolderAsync();
        var attacker = await TestAccount.CreateAsync(factory);
        var rotation = Rotation(attacker, await VaultAsync(attacker));
        rotation.Ciphers[0]["folderId"] = victimFolder.RequireString("id");

        using var response = await attacker.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Rotate_MalformedCipherId_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var rotation = Rotation(account, await VaultAsync(account));
        rotation.Ciphers[0]["id"] = "not-a-guid";

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AccountChanges.AssertSessionAliveAsync(account);
    }

    internal sealed record Vault(List<string> CipherIds, List<string> FolderIds, string TrashedId);

    /// <summary>Two folders, three items (one in a folder, one in the trash).</summary>
    private static async Task<Vault> VaultAsync(TestAccount account)
    {
        var folderA = (await account.CreateFolderAsync()).RequireString("id");
        var folderB = (await account.CreateFolderAsync()).RequireString("id");
        var inFolder = (await account.CreateCipherAsync(Payloads.LoginCipher(folderA))).RequireString("id");
        var note = (await account.CreateCipherAsync(Payloads.Cipher(2))).RequireString("id");
        var trashed = (await account.CreateCipherAsync(Payloads.Cipher(3))).RequireString("id");
        using var delete = await account.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{trashed}/delete");
        await delete.ExpectSuccessAsync();
        return new Vault([inFolder, note, trashed], [folderA, folderB], trashed);
    }

    internal sealed record RotationBody(JsonObject Body, JsonObject Unlock, List<JsonObject> Ciphers, List<JsonObject> Folders, string NewKey, string PrivateKey, string KeyId);

    /// <summary>A complete, valid rotation of <paramref name="vault"/>, shaped as the SDK sends it.</summary>
    internal static RotationBody Rotation(TestAccount account, Vault vault)
    {
        var (newKey, privateKey, keyId) = (Fake.EncString(), Fake.EncString(), Fake.UserKeyId());
        var ciphers = new List<JsonObject>();
        for (var i = 0; i < vault.CipherIds.Count; i++)
        {
            var cipher = i switch { 0 => Payloads.LoginCipher(vault.FolderIds[0]), 1 => Payloads.Cipher(2), _ => Payloads.Cipher(3) };
            cipher["id"] = vault.CipherIds[i];
            ciphers.Add(cipher);
        }

        var folders = vault.FolderIds.Select(id => new JsonObject { ["id"] = id, ["name"] = Fake.EncString() }).ToList();
        var unlock = new JsonObject
        {
            ["kdfType"] = account.Credentials.Kdf.Type,
            ["kdfIterations"] = account.Credentials.Kdf.Iterations,
            ["email"] = account.Credentials.Salt,
            ["masterPasswordSalt"] = account.Credentials.Salt,
            ["masterKeyAuthenticationHash"] = account.Credentials.MasterPasswordHash,
            ["masterKeyEncryptedUserKey"] = newKey,
            ["masterPasswordHint"] = null,
            ["containedKeyId"] = keyId,
        };
        var body = new JsonObject
        {
            ["oldMasterKeyAuthenticationHash"] = account.Credentials.MasterPasswordHash,
            ["newUserKeyId"] = keyId,
            ["accountKeys"] = new JsonObject
            {
                ["userKeyEncryptedAccountPrivateKey"] = privateKey,
                ["accountPublicKey"] = account.Credentials.PublicKey,
                ["publicKeyEncryptionKeyPair"] = new JsonObject { ["wrappedPrivateKey"] = privateKey, ["publicKey"] = account.Credentials.PublicKey, ["signedPublicKey"] = null },
            },
            ["accountUnlockData"] = new JsonObject
            {
                ["masterPasswordUnlockData"] = unlock,
                ["emergencyAccessUnlockData"] = new JsonArray(),
                ["organizationAccountRecoveryUnlockData"] = new JsonArray(),
                ["passkeyUnlockData"] = new JsonArray(),
                ["deviceKeyUnlockData"] = new JsonArray(),
            },
            ["accountData"] = new JsonObject
            {
                ["ciphers"] = new JsonArray([.. ciphers]),
                ["folders"] = new JsonArray([.. folders]),
                ["sends"] = new JsonArray(),
            },
        };
        return new RotationBody(body, unlock, ciphers, folders, newKey, privateKey, keyId);
    }

    private async Task<JsonObject> SyncAsync(JsonObject token)
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.RequireString("access_token"));
        using var response = await client.GetAsync("/api/sync?excludeDomains=true");
        return await response.ExpectObjectAsync();
    }
}
