using System.Text.Json;
using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>One vault, two clients: what the official bw writes, coffer reads, and the other way round.</summary>
public sealed class InteropTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task ItemCreatedByBw_IsReadByCoffer_GetPasswordAndListJson()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.RegisterAndLoginBwAsync(account);
        var folder = await bw.JsonAsync("bw create folder", "create", "folder", BwClient.Encode(BwJson.Folder("From bw")));
        var item = await bw.JsonAsync("bw create item", "create", "item", BwClient.Encode(
            BwJson.LoginItem("Git Hosting", "erin", "g1t-Pa55 ünïcode", "https://git.example.com", "two\nlines", folder.Id())));
        var coffer = fixture.NewCoffer(account);

        await coffer.LoginAsync(fixture.Server.Url);
        await coffer.OkAsync("coffer sync", "sync");
        var password = await coffer.OkAsync("coffer get password", "get", "password", "Git Hosting");
        var listed = (await coffer.JsonAsync("coffer list --json", "list", "--json")).Items();
        var inFolder = (await coffer.JsonAsync("coffer list --folder --json", "list", "--folder", "From bw", "--json")).Items();

        Assert.Equal("g1t-Pa55 ünïcode\n", password);
        var read = Assert.Single(listed);
        Assert.Equal(item.Id(), read.Text("id"));
        Assert.Equal("Git Hosting", read.Text("name"));
        Assert.Equal("erin", read.Text("login", "username"));
        Assert.Equal("g1t-Pa55 ünïcode", read.Text("login", "password"));
        Assert.Equal("two\nlines", read.Text("notes"));
        Assert.Equal(folder.Id(), read.Text("folderId"));
        Assert.Equal(["https://git.example.com"], read.GetProperty("login").GetProperty("uris").Items().Select(u => u.Text("uri")));
        Assert.Equal(item.Id(), Assert.Single(inFolder).Text("id"));
    }

    [Fact]
    public async Task ItemCreatedByCoffer_IsReadByBw_AfterBwSync()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.RegisterAndLoginBwAsync(account);
        var coffer = fixture.NewCoffer(account);
        await coffer.LoginAsync(fixture.Server.Url);

        await coffer.OkAsync("coffer folder add", "folder", "add", "From coffer");
        var id = (await coffer.OkAsync("coffer add login", "add", "login",
            "--name", "Wiki", "--username", "frank", "--password", "w1k1-Pa55 ✓", "--uri", "https://wiki.example.org/login",
            "--notes", "added by coffer", "--folder", "From coffer")).Trim();
        await bw.OkAsync("bw sync", "sync");
        var item = await bw.JsonAsync("bw get item", "get", "item", "Wiki");
        var folders = (await bw.JsonAsync("bw list folders", "list", "folders")).RealFolders();
        var password = await bw.OkAsync("bw get password", "get", "password", id);

        Assert.Equal(id, item.Id());
        Assert.Equal("Wiki", item.Text("name"));
        Assert.Equal("frank", item.Text("login", "username"));
        Assert.Equal("w1k1-Pa55 ✓", item.Text("login", "password"));
        Assert.Equal("https://wiki.example.org/login", item.FirstUri());
        Assert.Equal("added by coffer", item.Text("notes"));
        var folder = Assert.Single(folders);
        Assert.Equal("From coffer", folder.Text("name"));
        Assert.Equal(folder.Id(), item.Text("folderId"));
        Assert.Equal("w1k1-Pa55 ✓", password);
    }

    [Fact]
    public async Task EditsAndTrashByOneClient_AreSeenByTheOther_AfterAPlainSync()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.RegisterAndLoginBwAsync(account);
        var item = await bw.JsonAsync("bw create item", "create", "item", BwClient.Encode(
            BwJson.LoginItem("Router", "admin", "r0uter-1", "https://router.example", "", folderId: null)));
        var coffer = fixture.NewCoffer(account);
        await coffer.LoginAsync(fixture.Server.Url);

        // A plain `bw sync` only downloads when the account's revision date moved (protocol §3.4), so these
        // steps also check that the server bumps it for changes made by the other client.
        await coffer.OkAsync("coffer edit --password", "edit", "Router", "--password", "r0uter-2");
        await bw.OkAsync("bw sync (after coffer edit)", "sync");
        var edited = await bw.JsonAsync("bw get item (after coffer edit)", "get", "item", item.Id());
        await coffer.OkAsync("coffer rm", "rm", "Router");
        await bw.OkAsync("bw sync (after coffer rm)", "sync");
        var bwTrash = (await bw.JsonAsync("bw list items --trash (after coffer rm)", "list", "items", "--trash")).Items();
        await bw.OkAsync("bw restore item", "restore", "item", item.Id());
        await coffer.OkAsync("coffer sync (after bw restore)", "sync");
        var cofferItems = (await coffer.JsonAsync("coffer list --json (after bw restore)", "list", "--json")).Items();
        var cofferTrash = (await coffer.JsonAsync("coffer list --trash --json (after bw restore)", "list", "--trash", "--json")).Items();

        Assert.Equal("r0uter-2", edited.Text("login", "password"));
        Assert.Equal("admin", edited.Text("login", "username"));
        var history = Assert.Single(edited.GetProperty("passwordHistory").Items());
        Assert.Equal("r0uter-1", history.Text("password"));
        Assert.Equal(item.Id(), Assert.Single(bwTrash).Id());
        var restored = Assert.Single(cofferItems);
        Assert.Equal(item.Id(), restored.Text("id"));
        Assert.Equal("r0uter-2", restored.Text("login", "password"));
        Assert.Empty(cofferTrash);
    }

    [Fact]
    public async Task CardAndIdentityAddedByCoffer_AreReadByBwGetItem_FieldByField_InTheSameShapeAsCoffersOwn()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.RegisterAndLoginBwAsync(account);
        var coffer = fixture.NewCoffer(account);
        await coffer.LoginAsync(fixture.Server.Url);
        (string Option, string Key, string Value)[] card =
        [
            ("--cardholder-name", "cardholderName", "Jane Doe"), ("--brand", "brand", "Mastercard"), ("--number", "number", "5555555555554444"),
            ("--exp-month", "expMonth", "12"), ("--exp-year", "expYear", "2030"), ("--code", "code", "987"),
        ];
        (string Option, string Key, string Value)[] identity =
        [
            ("--title", "title", "Ms"), ("--first-name", "firstName", "Grace"), ("--middle-name", "middleName", "Brewster"),
            ("--last-name", "lastName", "Hopper"), ("--address1", "address1", "1 Navy Way"), ("--address2", "address2", "Suite 2"),
            ("--address3", "address3", "Building 3"), ("--city", "city", "Arlington"), ("--state", "state", "VA"),
            ("--postal-code", "postalCode", "22202"), ("--country", "country", "US"), ("--company", "company", "US Navy"),
            ("--email", "email", "grace@example.com"), ("--phone", "phone", "+1 555 0100"), ("--ssn", "ssn", "078-05-1120"),
            ("--username", "username", "grace"), ("--passport-number", "passportNumber", "P1234567"), ("--license-number", "licenseNumber", "H123-456"),
        ];

        var cardId = (await coffer.OkAsync("coffer add card", [
            "add", "card", "--name", "Travel card", "--favorite", "--hidden-field", "PIN=4321", "--boolean-field", "Virtual=false",
            .. card.SelectMany(f => new[] { f.Option, f.Value })])).Trim();
        var identityId = (await coffer.OkAsync("coffer add identity", [
            "add", "identity", "--name", "Grace", "--field", "Rank=Rear Admiral", .. identity.SelectMany(f => new[] { f.Option, f.Value })])).Trim();
        await bw.OkAsync("bw sync", "sync");
        var bwCard = await bw.JsonAsync("bw get item (card)", "get", "item", cardId);
        var bwIdentity = await bw.JsonAsync("bw get item (identity)", "get", "item", identityId);
        var cofferCard = await coffer.JsonAsync("coffer get item (card)", "get", "item", cardId);
        var cofferIdentity = await coffer.JsonAsync("coffer get item (identity)", "get", "item", identityId);

        Assert.Equal("3", bwCard.Text("type"));
        Assert.Equal("Travel card", bwCard.Text("name"));
        Assert.True(bwCard.GetProperty("favorite").GetBoolean());
        Assert.All(card, f => Assert.Equal(f.Value, bwCard.Text("card", f.Key)));
        Assert.Equal([("PIN", "4321", "1"), ("Virtual", "false", "2")], Fields(bwCard));
        Assert.Equal("4", bwIdentity.Text("type"));
        Assert.All(identity, f => Assert.Equal(f.Value, bwIdentity.Text("identity", f.Key)));
        Assert.Equal([("Rank", "Rear Admiral", "0")], Fields(bwIdentity));

        // coffer prints the same item in the same shape: every key bw prints for these objects, with the same value.
        foreach (var (ours, theirs) in new[] { (cofferCard, bwCard), (cofferIdentity, bwIdentity) })
        {
            foreach (var key in new[] { "object", "id", "type", "name", "notes", "favorite", "folderId", "reprompt", "revisionDate", "creationDate" })
            {
                Assert.Equal(theirs.Text(key), ours.Text(key));
            }

            Assert.Equal(Fields(theirs), Fields(ours));
        }

        Assert.All(card, f => Assert.Equal(bwCard.Text("card", f.Key), cofferCard.Text("card", f.Key)));
        Assert.All(identity, f => Assert.Equal(bwIdentity.Text("identity", f.Key), cofferIdentity.Text("identity", f.Key)));
    }

    private static (string?, string?, string?)[] Fields(JsonElement item) =>
        [.. item.GetProperty("fields").Items().Select(f => (f.Text("name"), f.Text("value"), f.Text("type")))];
}
