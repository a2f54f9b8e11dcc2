using System.Text.Json;
using Coffer.Cli.Tests.Cli;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>
/// Sharing through <c>coffer org</c>, <c>coffer collection</c> and <c>coffer share</c> against the real server, with
/// two or three accounts, each in its own config directory: create, invite, confirm with the fingerprint phrase,
/// share, read as a member, read-only refusal, access report, removal.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OrganizationCliTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly CliRun _owner = new();
    private readonly CliRun _member = new();
    private readonly CliRun _reader = new();

    public void Dispose()
    {
        _owner.Dispose();
        _member.Dispose();
        _reader.Dispose();
    }

    [Fact]
    public async Task OwnerSharesACollection_MemberConfirmedByFingerprintReadsIt_ReadOnlyMemberCannotEdit_RemovedMemberLosesIt()
    {
        var ownerEmail = await _owner.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);
        var memberEmail = await _member.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);
        var readerEmail = await _reader.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);

        var orgId = (await _owner.OkAsync("org", "create", "Acme", "--passwordenv", "MP")).Trim();
        Assert.True(Guid.TryParse(orgId, out _), orgId);
        Assert.Contains($"{orgId}\tAcme\towner", await _owner.OkAsync("org", "list"), StringComparison.Ordinal);
        var collectionId = (await _owner.OkAsync("collection", "add", "Acme", "Engineering", "--passwordenv", "MP")).Trim();
        Assert.Contains($"{collectionId}\tEngineering", await _owner.OkAsync("collection", "list", "Acme", "--passwordenv", "MP"), StringComparison.Ordinal);

        // Without an e-mail transport an existing account is Accepted at once and the link is printed for the record.
        var link = await _owner.OkAsync("org", "invite", "Acme", memberEmail, "--collection", "Engineering", "--passwordenv", "MP");
        Assert.Contains("accept-organization", link, StringComparison.Ordinal);
        Assert.Contains("orgUserHasExistingUser=true", link, StringComparison.Ordinal);
        var readerLink = await _owner.OkAsync("org", "invite", "Acme", readerEmail, "--collection", "Engineering:read-only", "--passwordenv", "MP");

        // Accepting with the link pins the organization on the member's device, so its first key is used once confirmed.
        await _member.OkAsync("org", "accept", link.Trim());
        await _reader.OkAsync("org", "accept", readerLink.Trim());
        Assert.Contains($"{memberEmail}\tTest\tuser\taccepted", await _owner.OkAsync("org", "members", "Acme"), StringComparison.Ordinal);

        // A wrong phrase is refused and nothing is confirmed; no terminal and no --fingerprint is a usage error.
        var (wrong, _, wrongError) = await _owner.RunAsync("org", "confirm", "Acme", memberEmail, "--fingerprint", "alpha-beta-gamma-delta-epsilon", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, wrong);
        Assert.Contains("does not match", wrongError, StringComparison.Ordinal);
        var (noTerminal, _, _) = await _owner.RunAsync("org", "confirm", "Acme", memberEmail, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Usage, noTerminal);
        Assert.Contains("\taccepted", await _owner.OkAsync("org", "members", "Acme"), StringComparison.Ordinal);

        // The member reads their own phrase (as `bw get fingerprint me`); the owner types it in.
        var phrase = (await _member.OkAsync("get", "fingerprint", "me", "--passwordenv", "MP")).Trim();
        Assert.Equal(5, phrase.Split('-').Length);
        await _owner.OkAsync("org", "confirm", "Acme", memberEmail, "--fingerprint", phrase.Replace('-', ' ').ToUpperInvariant(), "--passwordenv", "MP");
        await _owner.OkAsync("org", "confirm", "Acme", readerEmail, "--fingerprint", (await _reader.OkAsync("get", "fingerprint", "me", "--passwordenv", "MP")).Trim(), "--passwordenv", "MP");
        var members = JsonDocument.Parse(await _owner.OkAsync("org", "members", "Acme", "--json")).RootElement;
        Assert.All(members.EnumerateArray(), m => Assert.Equal(2, m.GetProperty("status").GetInt32()));

        // An item created in the collection and a personal item shared into it.
        var dbId = (await _owner.OkAsync("add", "login", "--name", "Prod DB", "--username", "root", "--password", "S3cret-db", "--org", "Acme", "--collection", "Engineering", "--passwordenv", "MP")).Trim();
        await _owner.OkAsync("add", "login", "--name", "Wiki", "--password", "wiki-pass", "--passwordenv", "MP");
        await _owner.OkAsync("share", "Wiki", "Acme", "--collection", "Engineering", "--passwordenv", "MP");
        var ownerView = await _owner.OkAsync("list", "--org", "Acme", "--collection", "Engineering", "--passwordenv", "MP");
        Assert.Contains("Prod DB", ownerView, StringComparison.Ordinal);
        Assert.Contains("Wiki", ownerView, StringComparison.Ordinal);

        await _member.OkAsync("sync");
        var memberList = JsonDocument.Parse(await _member.OkAsync("list", "--org", "Acme", "--json", "--passwordenv", "MP")).RootElement;
        Assert.Equal(["Prod DB", "Wiki"], memberList.EnumerateArray().Select(i => i.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(memberList.EnumerateArray(), i => Assert.Equal(orgId, i.GetProperty("organizationId").GetString()));
        Assert.All(memberList.EnumerateArray(), i => Assert.Equal(collectionId, i.GetProperty("collectionIds")[0].GetString()));
        Assert.Equal("S3cret-db", (await _member.OkAsync("get", "password", "Prod DB", "--passwordenv", "MP")).Trim());
        Assert.Equal("wiki-pass", (await _member.OkAsync("get", "password", "Wiki", "--passwordenv", "MP")).Trim());
        await _member.OkAsync("edit", "Prod DB", "--username", "admin", "--passwordenv", "MP");

        // Read-only: coffer refuses before sending anything, as bw does.
        await _reader.OkAsync("sync");
        Assert.Equal("S3cret-db", (await _reader.OkAsync("get", "password", "Prod DB", "--passwordenv", "MP")).Trim());
        var (readOnly, _, readOnlyError) = await _reader.RunAsync("edit", "Prod DB", "--password", "hacked", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, readOnly);
        Assert.Contains("read-only", readOnlyError, StringComparison.Ordinal);

        // The access report: the owner by type, the member and the reader by the collection, with their rights.
        var report = JsonDocument.Parse(await _owner.OkAsync("org", "access", "Acme", "--json", "--passwordenv", "MP")).RootElement;
        var engineering = Assert.Single(report.GetProperty("collections").EnumerateArray());
        Assert.Equal("Engineering", engineering.GetProperty("name").GetString());
        var grants = engineering.GetProperty("access").EnumerateArray().ToDictionary(g => g.GetProperty("email").GetString()!);
        Assert.Equal(3, grants.Count);
        Assert.Equal("type", grants[ownerEmail].GetProperty("via")[0].GetProperty("kind").GetString());
        Assert.True(grants[ownerEmail].GetProperty("manage").GetBoolean());
        Assert.True(grants[memberEmail].GetProperty("edit").GetBoolean());
        Assert.Equal("collection", grants[memberEmail].GetProperty("via")[0].GetProperty("kind").GetString());
        Assert.False(grants[readerEmail].GetProperty("edit").GetBoolean());
        Assert.True(grants[readerEmail].GetProperty("reveal").GetBoolean());
        Assert.Equal("read-only", grants[readerEmail].GetProperty("via")[0].GetProperty("access").GetString());
        var items = report.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!);
        Assert.Equal(["Prod DB", "Wiki"], items.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, items["Prod DB"].GetProperty("access").GetArrayLength());
        var text = await _owner.OkAsync("org", "access", "Acme", "--passwordenv", "MP");
        Assert.Contains($"\t{readerEmail}\tuser\tsee,reveal\tvia collection Engineering (read-only)", text, StringComparison.Ordinal);
        Assert.Contains($"item\t{dbId}\tProd DB\tEngineering", text, StringComparison.Ordinal);

        // Removed: the member's next sync no longer has the organization or its items.
        await _owner.OkAsync("org", "remove", "Acme", memberEmail);
        await _member.OkAsync("sync");
        Assert.DoesNotContain("Prod DB", await _member.OkAsync("list", "--passwordenv", "MP"), StringComparison.Ordinal);
        var (gone, _, _) = await _member.RunAsync("list", "--org", "Acme", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.NotFound, gone);

        var events = JsonDocument.Parse(await _owner.OkAsync("org", "events", "Acme", "--json")).RootElement;
        var types = events.EnumerateArray().Select(e => e.GetProperty("type").GetInt32()).ToHashSet();
        Assert.Superset(new HashSet<int> { 1500, 1501, 1503 }, types);
    }

    [Fact]
    public async Task Completion_OffersTheOrgCommandsAndMembershipTypes()
    {
        var verbs = (await _owner.OkAsync("[suggest:14]", "coffer org con")).Split('\n', StringSplitOptions.TrimEntries);
        var types = (await _owner.OkAsync("[suggest:34]", "coffer org invite Acme a@b --type ")).Split('\n', StringSplitOptions.TrimEntries);
        var top = (await _owner.OkAsync("[suggest:9]", "coffer co")).Split('\n', StringSplitOptions.TrimEntries);

        Assert.Contains("confirm", verbs);
        Assert.Equal(["admin", "custom", "owner", "user"], types.Where(t => t.Length > 0).Order(StringComparer.Ordinal));
        Assert.Contains("collection", top);
    }

    [Fact]
    public async Task Collections_RenameAndRemove_AmbiguousNamesListTheCandidates_DeleteTakesThePassword()
    {
        await _owner.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);
        var first = (await _owner.OkAsync("org", "create", "Twin", "--passwordenv", "MP")).Trim();
        var second = (await _owner.OkAsync("org", "create", "twin", "--passwordenv", "MP")).Trim();

        var (ambiguous, _, error) = await _owner.RunAsync("collection", "list", "Twin", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Usage, ambiguous);
        Assert.Contains(first, error, StringComparison.Ordinal);
        Assert.Contains(second, error, StringComparison.Ordinal);

        var a = (await _owner.OkAsync("collection", "add", first, "Ops", "--passwordenv", "MP")).Trim();
        var b = (await _owner.OkAsync("collection", "add", first, "ops", "--passwordenv", "MP")).Trim();
        var (twoCollections, _, candidates) = await _owner.RunAsync("collection", "rm", first, "Ops", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Usage, twoCollections);
        Assert.Contains(a, candidates, StringComparison.Ordinal);
        Assert.Contains(b, candidates, StringComparison.Ordinal);

        await _owner.OkAsync("collection", "rename", first, b, "Platform", "--passwordenv", "MP");
        await _owner.OkAsync("collection", "rm", first, "Ops", "--passwordenv", "MP");
        var remaining = JsonDocument.Parse(await _owner.OkAsync("collection", "list", first, "--json", "--passwordenv", "MP")).RootElement;
        var only = Assert.Single(remaining.EnumerateArray());
        Assert.Equal("Platform", only.GetProperty("name").GetString());
        Assert.Equal(b, only.GetProperty("id").GetString());

        var (missing, _, _) = await _owner.RunAsync("collection", "rm", first, "Nope", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.NotFound, missing);

        await _owner.OkAsync("org", "delete", second, "--passwordenv", "MP");
        var orgs = JsonDocument.Parse(await _owner.OkAsync("org", "list", "--json")).RootElement;
        Assert.Equal([first], orgs.EnumerateArray().Select(o => o.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task InteractiveConfirm_ShowsThePhraseAndNeedsATypedYes_TheLastOwnerCannotLeave_AMemberCan()
    {
        await _owner.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);
        var memberEmail = await _member.LoginNewAccountAsync(server.BaseUrl, CliAccounts.Password);
        await _owner.OkAsync("org", "create", "Solo", "--passwordenv", "MP");
        await _owner.OkAsync("org", "invite", "Solo", memberEmail, "--type", "admin", "--passwordenv", "MP");
        var phrase = (await _member.OkAsync("get", "fingerprint", "me", "--passwordenv", "MP")).Trim();

        _owner.Terminal = _ => "y";
        var (declined, _, shown) = await _owner.RunAsync("org", "confirm", "Solo", memberEmail, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Error, declined);
        Assert.Contains(phrase, shown, StringComparison.Ordinal);
        Assert.Contains("	accepted", await _owner.OkAsync("org", "members", "Solo"), StringComparison.Ordinal);
        _owner.Terminal = _ => "yes";
        await _owner.OkAsync("org", "confirm", "Solo", memberEmail, "--passwordenv", "MP");
        Assert.Contains("	admin	confirmed", await _owner.OkAsync("org", "members", "Solo"), StringComparison.Ordinal);

        var (ownerLeaves, _, _) = await _owner.RunAsync("org", "leave", "Solo");
        Assert.NotEqual(0, ownerLeaves);

        await _member.OkAsync("sync");
        Assert.Contains("\tSolo\tadmin", await _member.OkAsync("org", "list"), StringComparison.Ordinal);
        await _member.OkAsync("org", "leave", "Solo");
        Assert.DoesNotContain("Solo", await _member.OkAsync("org", "list"), StringComparison.Ordinal);
    }
}
