using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>
/// Folder and item commands of the official CLI against the real server. After each change the test runs
/// `bw sync --force`, which replaces bw's local cache with the server's /api/sync, so every assertion made after
/// it checks what the server stored, not what bw remembered.
/// </summary>
public sealed class BwVaultTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task BwFolder_CreateRenameDelete_IsStoredByTheServer()
    {
        var bw = await fixture.RegisterAndLoginBwAsync(TestAccount.CreateUnique());

        var created = await bw.JsonAsync("bw create folder", "create", "folder", BwClient.Encode(BwJson.Folder("Work")));
        var renamed = await bw.JsonAsync("bw edit folder", "edit", "folder", created.Id(), BwClient.Encode(BwJson.Folder("Work accounts")));
        await bw.OkAsync("bw sync --force (after edit)", "sync", "--force");
        var afterRename = (await bw.JsonAsync("bw list folders (after edit)", "list", "folders")).RealFolders();
        await bw.OkAsync("bw delete folder", "delete", "folder", created.Id());
        await bw.OkAsync("bw sync --force (after delete)", "sync", "--force");
        var afterDelete = (await bw.JsonAsync("bw list folders (after delete)", "list", "folders")).RealFolders();

        Assert.Equal("Work", created.Text("name"));
        Assert.Equal(created.Id(), renamed.Id());
        Assert.Equal("Work accounts", renamed.Text("name"));
        var stored = Assert.Single(afterRename);
        Assert.Equal(created.Id(), stored.Id());
        Assert.Equal("Work accounts", stored.Text("name"));
        Assert.Empty(afterDelete);
    }

    [Fact]
    public async Task BwLoginItem_CreateListGetEdit_RoundTripsEveryField()
    {
        var bw = await fixture.RegisterAndLoginBwAsync(TestAccount.CreateUnique());
        var folder = await bw.JsonAsync("bw create folder", "create", "folder", BwClient.Encode(BwJson.Folder("Mail")));

        var created = await bw.JsonAsync("bw create item", "create", "item", BwClient.Encode(
            BwJson.LoginItem("Example Mail", "alice@example.com", "s3cret-Pa55", "https://mail.example.com/login", "PIN 1234 🔐", folder.Id())));
        await bw.OkAsync("bw sync --force (after create)", "sync", "--force");
        var listed = Assert.Single((await bw.JsonAsync("bw list items", "list", "items")).Items());
        var password = await bw.OkAsync("bw get password", "get", "password", created.Id());
        var inFolder = (await bw.JsonAsync("bw list items --folderid", "list", "items", "--folderid", folder.Id())).Items();
        var edited = await bw.JsonAsync("bw edit item", "edit", "item", created.Id(), BwClient.Encode(
            BwJson.LoginItem("Example Mail (work)", "alice.w@example.com", "n3w-Pa55", "https://mail.example.com/", "PIN changed", folderId: null)));
        await bw.OkAsync("bw sync --force (after edit)", "sync", "--force");
        var reread = await bw.JsonAsync("bw get item (after edit)", "get", "item", created.Id());

        Assert.Equal(created.Id(), listed.Id());
        Assert.Equal("Example Mail", listed.Text("name"));
        Assert.Equal("alice@example.com", listed.Text("login", "username"));
        Assert.Equal("s3cret-Pa55", listed.Text("login", "password"));
        Assert.Equal("https://mail.example.com/login", listed.FirstUri());
        Assert.Equal("PIN 1234 🔐", listed.Text("notes"));
        Assert.Equal(folder.Id(), listed.Text("folderId"));
        Assert.Equal("s3cret-Pa55", password);
        Assert.Equal(created.Id(), Assert.Single(inFolder).Id());
        Assert.Equal(created.Id(), edited.Id());
        Assert.Equal("Example Mail (work)", reread.Text("name"));
        Assert.Equal("alice.w@example.com", reread.Text("login", "username"));
        Assert.Equal("n3w-Pa55", reread.Text("login", "password"));
        Assert.Equal("https://mail.example.com/", reread.FirstUri());
        Assert.Equal("PIN changed", reread.Text("notes"));
        Assert.Null(reread.Text("folderId"));
        Assert.NotEqual(listed.Text("revisionDate"), reread.Text("revisionDate"));
    }

    [Fact]
    public async Task BwDeleteItem_MovesItToTrash_RestoreBringsItBack_PermanentDeleteRemovesIt()
    {
        var bw = await fixture.RegisterAndLoginBwAsync(TestAccount.CreateUnique());
        var item = await bw.JsonAsync("bw create item", "create", "item", BwClient.Encode(
            BwJson.LoginItem("Bank", "bob", "b4nk-Pa55", "https://bank.example", "", folderId: null)));

        await bw.OkAsync("bw delete item (to trash)", "delete", "item", item.Id());
        await bw.OkAsync("bw sync --force (after soft delete)", "sync", "--force");
        var activeAfterDelete = (await bw.JsonAsync("bw list items (after soft delete)", "list", "items")).Items();
        var trash = (await bw.JsonAsync("bw list items --trash", "list", "items", "--trash")).Items();
        await bw.OkAsync("bw restore item", "restore", "item", item.Id());
        await bw.OkAsync("bw sync --force (after restore)", "sync", "--force");
        var activeAfterRestore = (await bw.JsonAsync("bw list items (after restore)", "list", "items")).Items();
        var trashAfterRestore = (await bw.JsonAsync("bw list items --trash (after restore)", "list", "items", "--trash")).Items();
        await bw.OkAsync("bw delete item --permanent", "delete", "item", item.Id(), "--permanent");
        await bw.OkAsync("bw sync --force (after permanent delete)", "sync", "--force");
        var activeAtEnd = (await bw.JsonAsync("bw list items (at end)", "list", "items")).Items();
        var trashAtEnd = (await bw.JsonAsync("bw list items --trash (at end)", "list", "items", "--trash")).Items();

        Assert.Empty(activeAfterDelete);
        var trashed = Assert.Single(trash);
        Assert.Equal(item.Id(), trashed.Id());
        Assert.NotNull(trashed.Text("deletedDate"));
        var restored = Assert.Single(activeAfterRestore);
        Assert.Equal(item.Id(), restored.Id());
        Assert.Null(restored.Text("deletedDate"));
        Assert.Equal("b4nk-Pa55", restored.Text("login", "password"));
        Assert.Empty(trashAfterRestore);
        Assert.Empty(activeAtEnd);
        Assert.Empty(trashAtEnd);
    }
}
