using System.Security.Cryptography;
using System.Text.Json;
using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>
/// Attachments with the official CLI (<c>bitwarden-sharing-features.md</c> §2.12): `bw create attachment` (v2 slot, then
/// the multipart upload), `bw get attachment` (download URL, then a fetch with no access token, decrypted by bw),
/// `bw delete attachment`, and a user key rotation after which bw still opens the file.
/// </summary>
public sealed class BwAttachmentTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task BwAttachment_CreateGetDelete_ReturnsTheSameBytes_AndTheServerForgetsIt()
    {
        var bw = await fixture.RegisterAndLoginBwAsync(TestAccount.CreateUnique());
        var (item, folder, source, bytes) = await ItemAndFileAsync(bw, "recovery codes.txt", 70_000);

        var withFile = await bw.JsonAsync("bw create attachment", "create", "attachment", "--file", source, "--itemid", item.Id());
        var attachment = Assert.Single(withFile.GetProperty("attachments").EnumerateArray());
        var output = Path.Combine(folder, "downloaded.txt");
        await bw.OkAsync("bw get attachment", "get", "attachment", "recovery codes.txt", "--itemid", item.Id(), "--output", output);
        var downloaded = await File.ReadAllBytesAsync(output);
        await bw.OkAsync("bw sync --force (after create)", "sync", "--force");
        var synced = await bw.JsonAsync("bw get item (after create)", "get", "item", item.Id());
        await bw.OkAsync("bw delete attachment", "delete", "attachment", attachment.Id(), "--itemid", item.Id());
        await bw.OkAsync("bw sync --force (after delete)", "sync", "--force");
        var afterDelete = await bw.JsonAsync("bw get item (after delete)", "get", "item", item.Id());
        // The item's revision after the delete came from the server's {"cipher":…}, so an edit now passes the stale check.
        var edited = await bw.JsonAsync("bw edit item (after delete)", "edit", "item", item.Id(), BwClient.Encode(
            BwJson.LoginItem("Recovery codes (old)", "carol", "c0des-Pa55", "https://codes.example", "", folderId: null)));

        Assert.Equal("recovery codes.txt", attachment.Text("fileName"));
        Assert.Equal(bytes, downloaded);
        Assert.Equal(attachment.Id(), Assert.Single(synced.GetProperty("attachments").EnumerateArray()).Id());
        Assert.True(afterDelete.TryGetProperty("attachments", out var left) is false || left.ValueKind == JsonValueKind.Null || left.GetArrayLength() == 0);
        Assert.Equal("Recovery codes (old)", edited.Text("name"));
    }

    [Fact]
    public async Task BwAttachment_AfterAUserKeyRotation_StillOpens()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.RegisterAndLoginBwAsync(account);
        var (item, folder, source, bytes) = await ItemAndFileAsync(bw, "passport.pdf", 5_000);
        await bw.JsonAsync("bw create attachment", "create", "attachment", "--file", source, "--itemid", item.Id());

        var coffer = fixture.NewCoffer(account);
        await coffer.LoginAsync(fixture.Server.Url);
        await coffer.OkAsync("coffer account rotate-key", "account", "rotate-key");
        var fresh = fixture.NewBw(account);
        await fresh.LoginAsync(fixture.Server.Url);
        var output = Path.Combine(folder, "after-rotation.pdf");
        await fresh.OkAsync("bw get attachment (after rotation)", "get", "attachment", "passport.pdf", "--itemid", item.Id(), "--output", output);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(output));
    }

    /// <summary>A new login item and a file of <paramref name="length"/> random bytes named <paramref name="name"/> in a scratch folder.</summary>
    private async Task<(JsonElement Item, string Folder, string Source, byte[] Bytes)> ItemAndFileAsync(BwClient bw, string name, int length)
    {
        var item = await bw.JsonAsync("bw create item", "create", "item", BwClient.Encode(
            BwJson.LoginItem("With a file", "carol", "c0des-Pa55", "https://codes.example", "", folderId: null)));
        var folder = fixture.NewScratchFolder();
        var source = Path.Combine(folder, name);
        var bytes = RandomNumberGenerator.GetBytes(length);
        await File.WriteAllBytesAsync(source, bytes);
        return (item, folder, source, bytes);
    }
}
