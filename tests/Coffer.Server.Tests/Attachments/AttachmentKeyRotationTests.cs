using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Attachments;

/// <summary>
/// A user key rotation re-wraps attachment keys from each cipher's <c>attachments2</c> and leaves the files as they
/// are (<c>bitwarden-sharing-features.md</c> §2.9).
/// </summary>
public sealed class AttachmentKeyRotationTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task Rotate_ReplacesAttachmentNamesAndKeys_AndKeepsTheFiles()
    {
        var (account, vault) = await VaultAsync();
        var (login, note) = (vault.CipherIds[0], vault.CipherIds[1]);
        var (_, rotated, bytes) = await account.AddAttachmentAsync(login);
        var (_, left, _) = await account.AddAttachmentAsync(note);
        var leftBefore = (await account.SyncedCipherAsync(note)).RequireArray("attachments").ById(left)!.ToJsonString();
        var rotation = KeyRotationTests.Rotation(account, vault);
        var (name, key) = (Fake.EncString(), Fake.EncString());
        rotation.Ciphers[0]["attachments2"] = new JsonObject { [rotated] = new JsonObject { ["fileName"] = name, ["key"] = key } };
        // An id of another item of the same vault changes nothing there.
        rotation.Ciphers[2]["attachments2"] = new JsonObject { [left] = new JsonObject { ["fileName"] = name, ["key"] = key } };

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);
        await response.ExpectStatusAsync(HttpStatusCode.OK);

        var again = await TestAccount.LoginAsync(factory, account.Credentials);
        var entry = (await again.SyncedCipherAsync(login)).RequireArray("attachments").ById(rotated)!;
        Assert.Equal(name, entry.RequireString("fileName"));
        Assert.Equal(key, entry.RequireString("key"));
        Assert.Equal(leftBefore, (await again.SyncedCipherAsync(note)).RequireArray("attachments").ById(left)!.ToJsonString());
        Assert.Equal(bytes, await factory.DownloadBytesAsync(await again.DownloadUrlAsync(login, rotated)));
    }

    [Fact]
    public async Task Rotate_WithAnEmptyAttachmentName_Returns400_AndChangesNothing()
    {
        var (account, vault) = await VaultAsync();
        var (_, attachmentId, _) = await account.AddAttachmentAsync(vault.CipherIds[0]);
        var rotation = KeyRotationTests.Rotation(account, vault);
        rotation.Ciphers[0]["attachments2"] = new JsonObject { [attachmentId] = new JsonObject { ["fileName"] = "", ["key"] = Fake.EncString() } };

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AccountChanges.AssertSessionAliveAsync(account);
    }

    /// <summary>The vault <see cref="KeyRotationTests.Rotation"/> expects: two folders, a login in the first, a note, a card.</summary>
    private async Task<(TestAccount Account, KeyRotationTests.Vault Vault)> VaultAsync()
    {
        var account = await TestAccount.CreateAsync(factory);
        var folderA = (await account.CreateFolderAsync()).RequireString("id");
        var folderB = (await account.CreateFolderAsync()).RequireString("id");
        var login = (await account.CreateCipherAsync(Payloads.LoginCipher(folderA))).RequireString("id");
        var note = (await account.CreateCipherAsync(Payloads.Cipher(2))).RequireString("id");
        var card = (await account.CreateCipherAsync(Payloads.Cipher(3))).RequireString("id");
        return (account, new KeyRotationTests.Vault([login, note, card], [folderA, folderB], card));
    }
}
