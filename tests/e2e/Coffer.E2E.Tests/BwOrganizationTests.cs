using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>
/// Sharing with the official CLI (issue 11, Tests): an owner creates the organization and a collection with
/// <c>coffer</c>, invites; <c>bw confirm org-member</c>; <c>bw create item</c> into the collection, <c>bw move</c>,
/// <c>bw edit item-collections</c>, <c>bw create/edit/delete org-collection</c>, <c>bw list org-collections</c>,
/// <c>bw list org-members</c>, <c>bw export --organizationid</c>; the member reads with <c>bw</c> and <c>coffer</c>; a
/// read-only member cannot edit; a removed member's <c>bw sync</c> no longer has the items. Every read after a change
/// follows <c>bw sync --force</c>, so it checks what the server stored.
/// </summary>
public sealed class BwOrganizationTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task OwnerMemberAndReader_ShareThroughCofferAndBw()
    {
        var ownerAccount = TestAccount.CreateUnique();
        var memberAccount = TestAccount.CreateUnique();
        var readerAccount = TestAccount.CreateUnique();
        var owner = fixture.NewCoffer(ownerAccount);
        await owner.RegisterAsync(fixture.Server.Url);
        await owner.LoginAsync(fixture.Server.Url);
        var ownerBw = fixture.NewBw(ownerAccount);
        await ownerBw.LoginAsync(fixture.Server.Url);
        var memberBw = await fixture.RegisterAndLoginBwAsync(memberAccount);
        var readerBw = await fixture.RegisterAndLoginBwAsync(readerAccount);

        // The fingerprint phrase coffer computes is the one the official client shows for the same account.
        var ownerPhraseCoffer = (await owner.OkAsync("coffer get fingerprint me", "get", "fingerprint", "me")).Trim();
        var ownerPhraseBw = (await ownerBw.OkAsync("bw get fingerprint me", "get", "fingerprint", "me")).Trim();
        Assert.Equal(ownerPhraseBw, ownerPhraseCoffer);

        var orgId = (await owner.OkAsync("coffer org create", "org", "create", "Acme")).Trim();
        var engineering = (await owner.OkAsync("coffer collection add", "collection", "add", "Acme", "Engineering")).Trim();
        await owner.OkAsync("coffer org invite (member)", "org", "invite", "Acme", memberAccount.Email, "--collection", "Engineering");
        await owner.OkAsync("coffer org invite (reader)", "org", "invite", "Acme", readerAccount.Email, "--collection", "Engineering:read-only");

        // bw confirm org-member wraps the org key for the member; coffer confirms the reader with the phrase bw shows them.
        await ownerBw.OkAsync("bw sync --force (owner, after create)", "sync", "--force");
        var invited = (await ownerBw.JsonAsync("bw list org-members", "list", "org-members", "--organizationid", orgId)).Items();
        var member = invited.Single(m => m.Text("email") == memberAccount.Email);
        Assert.Equal(1, member.GetProperty("status").GetInt32());
        await ownerBw.OkAsync("bw confirm org-member", "confirm", "org-member", member.Id(), "--organizationid", orgId);
        var readerPhrase = (await readerBw.OkAsync("bw get fingerprint me (reader)", "get", "fingerprint", "me")).Trim();
        await owner.OkAsync("coffer org confirm (reader)", "org", "confirm", "Acme", readerAccount.Email, "--fingerprint", readerPhrase);
        var confirmed = (await ownerBw.JsonAsync("bw list org-members (after confirm)", "list", "org-members", "--organizationid", orgId)).Items();
        Assert.All(confirmed, m => Assert.Equal(2, m.GetProperty("status").GetInt32()));

        // bw create item into the collection; bw move a personal item into it.
        var created = await ownerBw.JsonAsync("bw create item (org)", "create", "item", BwClient.Encode(
            OrgItem(BwJson.LoginItem("Prod DB", "root", "S3cret-db", "https://db.example", "", folderId: null), orgId, engineering)));
        var personal = await ownerBw.JsonAsync("bw create item (personal)", "create", "item", BwClient.Encode(
            BwJson.LoginItem("Wiki", "ops", "wiki-Pa55", "https://wiki.example", "", folderId: null)));
        await ownerBw.OkAsync("bw move", "move", personal.Id(), orgId, BwClient.Encode(new[] { engineering }));

        // Collections through bw: create, edit, list, assign an item to two, delete one.
        var ops = await ownerBw.JsonAsync("bw create org-collection", "create", "org-collection",
            BwClient.Encode(new { organizationId = orgId, name = "Ops", externalId = (string?)null, groups = Array.Empty<object>(), users = Array.Empty<object>() }),
            "--organizationid", orgId);
        var opsRenamed = await ownerBw.JsonAsync("bw edit org-collection", "edit", "org-collection", ops.Id(),
            BwClient.Encode(new { organizationId = orgId, name = "Operations", externalId = (string?)null, groups = Array.Empty<object>(), users = Array.Empty<object>() }),
            "--organizationid", orgId);
        var collections = (await ownerBw.JsonAsync("bw list org-collections", "list", "org-collections", "--organizationid", orgId)).Items();
        await ownerBw.OkAsync("bw sync --force (after org-collection)", "sync", "--force");
        await ownerBw.OkAsync("bw edit item-collections", "edit", "item-collections", created.Id(), BwClient.Encode(new[] { engineering, ops.Id() }), "--organizationid", orgId);
        await ownerBw.OkAsync("bw sync --force (after item-collections)", "sync", "--force");
        var refiled = await ownerBw.JsonAsync("bw get item (after item-collections)", "get", "item", created.Id());
        await ownerBw.OkAsync("bw delete org-collection", "delete", "org-collection", ops.Id(), "--organizationid", orgId);
        var collectionsAfterDelete = (await ownerBw.JsonAsync("bw list org-collections (after delete)", "list", "org-collections", "--organizationid", orgId)).Items();

        var exportPath = Path.Combine(fixture.NewScratchFolder(), "org.json");
        await ownerBw.OkAsync("bw export --organizationid", "export", "--organizationid", orgId, "--format", "json", "--output", exportPath);
        var export = JsonDocument.Parse(await File.ReadAllTextAsync(exportPath)).RootElement;

        Assert.Equal("Operations", opsRenamed.Text("name"));
        Assert.Equal(["Engineering", "Operations"], collections.Select(c => c.Text("name")).Order(StringComparer.Ordinal));
        Assert.Equal(
            new[] { engineering, ops.Id() }.Order(StringComparer.Ordinal),
            refiled.GetProperty("collectionIds").EnumerateArray().Select(c => c.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(["Engineering"], collectionsAfterDelete.Select(c => c.Text("name")));
        Assert.Equal(["Prod DB", "Wiki"], export.GetProperty("items").EnumerateArray().Select(i => i.Text("name")).Order(StringComparer.Ordinal));
        Assert.Contains(export.GetProperty("items").EnumerateArray(), i => i.Text("login", "password") == "S3cret-db");
        Assert.Equal(["Engineering"], export.GetProperty("collections").EnumerateArray().Select(c => c.Text("name")));

        // The member reads both items with bw and with coffer.
        await memberBw.OkAsync("bw sync --force (member)", "sync", "--force");
        var memberOrgs = (await memberBw.JsonAsync("bw list organizations (member)", "list", "organizations")).Items();
        var memberItems = (await memberBw.JsonAsync("bw list items --organizationid (member)", "list", "items", "--organizationid", orgId)).Items();
        var memberCoffer = fixture.NewCoffer(memberAccount);
        await memberCoffer.LoginAsync(fixture.Server.Url);

        // coffer never saw this membership begin (bw accepted it): quarantined until the owner's phrase is checked.
        await memberCoffer.FailsAsync("coffer list --org (member, quarantined)", "list", "--org", "Acme", "--json");
        var orgPhrase = (await owner.OkAsync("coffer org fingerprint", "org", "fingerprint", "Acme")).Trim();
        await memberCoffer.OkAsync("coffer org trust (member)", "org", "trust", "Acme", "--fingerprint", orgPhrase);
        var memberCofferItems = (await memberCoffer.JsonAsync("coffer list --org (member)", "list", "--org", "Acme", "--json")).Items();

        Assert.Equal(orgId, Assert.Single(memberOrgs).Id());
        Assert.Equal(["Prod DB", "Wiki"], memberItems.Select(i => i.Text("name")).Order(StringComparer.Ordinal));
        Assert.Contains(memberItems, i => i.Text("login", "password") == "S3cret-db");
        Assert.Contains(memberItems, i => i.Text("login", "password") == "wiki-Pa55");
        Assert.Equal(["Prod DB", "Wiki"], memberCofferItems.Select(i => i.Text("name")).Order(StringComparer.Ordinal));
        Assert.Equal("S3cret-db", (await memberCoffer.OkAsync("coffer get password (member)", "get", "password", "Prod DB")).Trim());

        // The read-only member reads but cannot edit.
        await readerBw.OkAsync("bw sync --force (reader)", "sync", "--force");
        var readerItem = await readerBw.JsonAsync("bw get item (reader)", "get", "item", created.Id());
        var changed = JsonNode.Parse(readerItem.GetRawText())!.AsObject();
        changed["name"] = "Hacked";
        await readerBw.FailsAsync("bw edit item (read-only)", "edit", "item", created.Id(), BwClient.Encode(changed));
        await readerBw.OkAsync("bw sync --force (reader, after refused edit)", "sync", "--force");
        Assert.Equal("Prod DB", (await readerBw.JsonAsync("bw get item (reader, after refused edit)", "get", "item", created.Id())).Text("name"));
        Assert.Equal("S3cret-db", readerItem.Text("login", "password"));

        // Removed: the member's next bw sync has neither the organization nor its items.
        await owner.OkAsync("coffer org remove", "org", "remove", "Acme", memberAccount.Email);
        await memberBw.OkAsync("bw sync --force (member, after removal)", "sync", "--force");
        var orgsAfterRemoval = (await memberBw.JsonAsync("bw list organizations (after removal)", "list", "organizations")).Items();
        var itemsAfterRemoval = (await memberBw.JsonAsync("bw list items (after removal)", "list", "items")).Items();
        Assert.Empty(orgsAfterRemoval);
        Assert.Empty(itemsAfterRemoval);
    }

    private static JsonObject OrgItem(object item, string organizationId, string collectionId)
    {
        var json = JsonSerializer.SerializeToNode(item)!.AsObject();
        json["organizationId"] = organizationId;
        json["collectionIds"] = new JsonArray(collectionId);
        return json;
    }
}
