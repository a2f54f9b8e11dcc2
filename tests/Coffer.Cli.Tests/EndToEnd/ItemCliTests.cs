using System.Text.Json;
using Coffer.Cli.Tests.Cli;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>
/// Every item type with every field through `coffer add`, `edit`, `get` and `list` against the real server,
/// read back from the JSON that `get item` prints in bw's item shape. Each test registers its own account.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ItemCliTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    private static readonly (string Option, string Json, string Value)[] CardFields =
    [
        ("--cardholder-name", "cardholderName", "Jane Q. Doe"),
        ("--brand", "brand", "Visa"),
        ("--number", "number", "4111111111111111"),
        ("--exp-month", "expMonth", "7"),
        ("--exp-year", "expYear", "2031"),
        ("--code", "code", "123"),
    ];

    private static readonly (string Option, string Json, string Value)[] IdentityFields =
    [
        ("--title", "title", "Dr"),
        ("--first-name", "firstName", "Ada"),
        ("--middle-name", "middleName", "King"),
        ("--last-name", "lastName", "Lovelace"),
        ("--address1", "address1", "12 St James's Square"),
        ("--address2", "address2", "Flat 3"),
        ("--address3", "address3", "Westminster"),
        ("--city", "city", "London"),
        ("--state", "state", "Greater London"),
        ("--postal-code", "postalCode", "SW1Y 4JH"),
        ("--country", "country", "GB"),
        ("--company", "company", "Analytical Engines Ltd"),
        ("--email", "email", "ada@example.com"),
        ("--phone", "phone", "+44 20 7946 0000"),
        ("--ssn", "ssn", "QQ 12 34 56 C"),
        ("--username", "username", "ada"),
        ("--passport-number", "passportNumber", "123456789"),
        ("--license-number", "licenseNumber", "LOVEL815100A99"),
    ];

    [Fact]
    public async Task AddCard_WithEveryField_ReadsBackFieldByField_AndEditChangesAndRemovesEachField()
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("folder", "add", "Wallet", "--passwordenv", "MP");
        var id = (await _cli.OkAsync([
            "add", "card", "--name", "Visa ✓", "--notes", "card notes", "--folder", "Wallet", "--favorite",
            "--field", "PIN hint=birthday", "--hidden-field", "PIN=0000", "--boolean-field", "Contactless",
            .. CardFields.SelectMany(f => new[] { f.Option, f.Value }), "--passwordenv", "MP"])).Trim();

        var item = await ItemAsync(id);
        Assert.Equal("item", item.GetProperty("object").GetString());
        Assert.Equal(3, item.GetProperty("type").GetInt32());
        Assert.Equal("Visa ✓", item.GetProperty("name").GetString());
        Assert.Equal("card notes", item.GetProperty("notes").GetString());
        Assert.True(item.GetProperty("favorite").GetBoolean());
        Assert.Equal(await FolderIdAsync("Wallet"), item.GetProperty("folderId").GetString());
        foreach (var (_, json, value) in CardFields)
        {
            Assert.Equal(value, item.GetProperty("card").GetProperty(json).GetString());
        }

        Assert.Equal([("PIN hint", "birthday", 0), ("PIN", "0000", 1), ("Contactless", "true", 2)], Fields(item));

        // Each field changed, then each removed with an empty value.
        await _cli.OkAsync(["edit", id, .. CardFields.SelectMany(f => new[] { f.Option, f.Value + "2" }), "--favorite", "false", "--passwordenv", "MP"]);
        item = await ItemAsync(id);
        foreach (var (_, json, value) in CardFields)
        {
            Assert.Equal(value + "2", item.GetProperty("card").GetProperty(json).GetString());
        }

        Assert.False(item.GetProperty("favorite").GetBoolean());
        await _cli.OkAsync(["edit", id, .. CardFields.SelectMany(f => new[] { f.Option, "" }), "--notes", "", "--folder", "", "--passwordenv", "MP"]);
        item = await ItemAsync(id);
        Assert.All(CardFields, f => Assert.Equal(JsonValueKind.Null, item.GetProperty("card").GetProperty(f.Json).ValueKind));
        Assert.Equal(JsonValueKind.Null, item.GetProperty("notes").ValueKind);
        Assert.Equal(JsonValueKind.Null, item.GetProperty("folderId").ValueKind);
    }

    [Fact]
    public async Task AddIdentity_WithEveryField_ReadsBackFieldByField_AndEditChangesEachField()
    {
        await LoginNewAccountAsync();
        var id = (await _cli.OkAsync([
            "add", "identity", "--name", "Me", .. IdentityFields.SelectMany(f => new[] { f.Option, f.Value }), "--passwordenv", "MP"])).Trim();

        var item = await ItemAsync(id);
        Assert.Equal(4, item.GetProperty("type").GetInt32());
        foreach (var (_, json, value) in IdentityFields)
        {
            Assert.Equal(value, item.GetProperty("identity").GetProperty(json).GetString());
        }

        Assert.Equal("ada\n", await _cli.OkAsync("get", "username", "Me", "--passwordenv", "MP"));
        await _cli.OkAsync(["edit", "Me", .. IdentityFields.SelectMany(f => new[] { f.Option, f.Value + " (new)" }), "--name", "Me too", "--passwordenv", "MP"]);
        item = await ItemAsync(id);
        Assert.Equal("Me too", item.GetProperty("name").GetString());
        foreach (var (_, json, value) in IdentityFields)
        {
            Assert.Equal(value + " (new)", item.GetProperty("identity").GetProperty(json).GetString());
        }
    }

    [Fact]
    public async Task AddLogin_WithEveryField_AndEditEachField_KeepsPasswordHistory()
    {
        await LoginNewAccountAsync();
        var id = (await _cli.OkAsync(
            "add", "login", "--name", "Mail", "--username", "alice", "--password", "first", "--totp", "JBSWY3DPEHPK3PXP",
            "--uri", "https://mail.example.com", "--uri", "https://example.org/login", "--uri-match", "https://example.org/login=exact",
            "--notes", "n", "--favorite", "--field", "Recovery=abc", "--passwordenv", "MP")).Trim();

        var item = await ItemAsync(id);
        var login = item.GetProperty("login");
        Assert.Equal("alice", login.GetProperty("username").GetString());
        Assert.Equal("first", login.GetProperty("password").GetString());
        Assert.Equal("JBSWY3DPEHPK3PXP", login.GetProperty("totp").GetString());
        Assert.Equal([("https://mail.example.com", null), ("https://example.org/login", 3)], Uris(login));
        Assert.True(item.GetProperty("favorite").GetBoolean());
        Assert.Equal([("Recovery", "abc", 0)], Fields(item));
        Assert.Equal(JsonValueKind.Null, item.GetProperty("passwordHistory").ValueKind);

        await _cli.OkAsync(
            "edit", "Mail", "--username", "bob", "--password", "second", "--totp", "", "--add-uri", "https://new.example.net",
            "--remove-uri", "https://mail.example.com", "--uri-match", "https://example.org/login=default",
            "--uri-match", "https://new.example.net=host", "--hidden-field", "Recovery=xyz", "--field", "Extra=1", "--passwordenv", "MP");
        item = await ItemAsync(id);
        login = item.GetProperty("login");
        Assert.Equal("bob", login.GetProperty("username").GetString());
        Assert.Equal("second", login.GetProperty("password").GetString());
        Assert.Equal(JsonValueKind.Null, login.GetProperty("totp").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, login.GetProperty("passwordRevisionDate").ValueKind);
        Assert.Equal([("https://example.org/login", null), ("https://new.example.net", 1)], Uris(login));
        Assert.Equal([("Recovery", "xyz", 1), ("Extra", "1", 0)], Fields(item));
        Assert.Equal("first", item.GetProperty("passwordHistory")[0].GetProperty("password").GetString());

        await _cli.OkAsync("edit", "Mail", "--remove-field", "Recovery", "--uri", "https://only.example", "--passwordenv", "MP");
        item = await ItemAsync(id);
        Assert.Equal([("Extra", "1", 0)], Fields(item));
        Assert.Equal([("https://only.example", null)], Uris(item.GetProperty("login")));
        Assert.Equal("https://only.example\n", await _cli.OkAsync("get", "uri", "Mail", "--passwordenv", "MP"));
    }

    [Fact]
    public async Task AddNote_WithCustomFields_AndOptionsOfAnotherType_AreRefused()
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("add", "note", "--name", "Wifi", "--notes", "guest network", "--hidden-field", "Key=hunter2", "--passwordenv", "MP");
        await _cli.OkAsync("add", "card", "--name", "Amex", "--number", "378282246310005", "--passwordenv", "MP");

        var item = await ItemAsync("Wifi");
        Assert.Equal(2, item.GetProperty("type").GetInt32());
        Assert.Equal(0, item.GetProperty("secureNote").GetProperty("type").GetInt32());
        Assert.Equal([("Key", "hunter2", 1)], Fields(item));

        var (code, _, error) = await _cli.RunAsync("edit", "Wifi", "--password", "x", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--password does not apply to 'Wifi', which is a secure note", error, StringComparison.Ordinal);
        (code, _, error) = await _cli.RunAsync("edit", "Amex", "--first-name", "x", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("which is a card", error, StringComparison.Ordinal);
        (code, _, error) = await _cli.RunAsync("edit", "Amex", "--remove-field", "Nope", "--passwordenv", "MP");
        Assert.Equal(ExitCodes.NotFound, code);
        Assert.Contains("no custom field named 'Nope'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_FiltersByUrlMatchRuleFolderFavoriteSearchAndTrash()
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("folder", "add", "Work", "--passwordenv", "MP");
        await AddLoginAsync("Domain", "https://example.co.uk");
        await AddLoginAsync("Host", "https://mail.example.co.uk", "host");
        await AddLoginAsync("StartsWith", "https://example.co.uk/app", "startswith");
        await AddLoginAsync("Exact", "https://example.co.uk/app/login", "exact");
        await AddLoginAsync("Regex", @"^https://[a-z]+\.example\.co\.uk/app", "regex");
        await AddLoginAsync("Never", "https://example.co.uk", "never");
        await AddLoginAsync("Other", "https://other.co.uk", extra: ["--favorite", "--folder", "Work"]);
        await _cli.OkAsync("add", "note", "--name", "Note in Work", "--folder", "Work", "--favorite", "--passwordenv", "MP");
        await AddLoginAsync("Trashed", "https://example.co.uk");
        await _cli.OkAsync("rm", "Trashed", "--passwordenv", "MP");

        Assert.Equal(["Domain", "Host", "Regex"], await NamesAsync("--url", "https://mail.example.co.uk/app/x"));
        Assert.Equal(["Domain", "Exact", "StartsWith"], await NamesAsync("--url", "https://example.co.uk/app/login"));
        Assert.Equal(["Other"], await NamesAsync("--url", "other.co.uk"));
        Assert.Equal(["Trashed"], await NamesAsync("--url", "https://example.co.uk", "--trash"));
        Assert.Equal(["Note in Work", "Other"], await NamesAsync("--favorite"));
        Assert.Equal(["Note in Work", "Other"], await NamesAsync("--folder", "Work"));
        Assert.Equal(["Other"], await NamesAsync("--folder", "Work", "--url", "https://www.other.co.uk"));
        Assert.Equal(["Domain", "Exact", "Host", "Never", "Regex", "StartsWith"], await NamesAsync("--folder", "none"));
        Assert.Equal(["Exact", "Regex", "StartsWith"], await NamesAsync("--search", "/app"));
    }

    [Fact]
    public async Task GetTotp_PrintsTheCodeOfProtocolTotp_AndSecondsLeft()
    {
        await LoginNewAccountAsync();
        var secret = Base32.Encode(Totp.NewSecret());
        await _cli.OkAsync("add", "login", "--name", "2FA", "--totp", $"otpauth://totp/Site:alice?secret={secret}&issuer=Site", "--passwordenv", "MP");

        var before = DateTimeOffset.UtcNow;
        var json = JsonDocument.Parse(await _cli.OkAsync("get", "totp", "2FA", "--json", "--passwordenv", "MP")).RootElement;
        var (code, output, error) = await _cli.RunAsync("get", "totp", "2FA", "--passwordenv", "MP");
        var after = DateTimeOffset.UtcNow;

        // The step may turn between the two reads; the code must be the one of a step within them.
        string[] expected = [Totp.Compute(Base32.Decode(secret), before), Totp.Compute(Base32.Decode(secret), after)];
        Assert.Contains(json.GetProperty("code").GetString(), expected);
        Assert.InRange(json.GetProperty("secondsLeft").GetInt32(), 1, 30);
        Assert.Equal(30, json.GetProperty("period").GetInt32());
        Assert.Equal(0, code);
        Assert.Contains(output.TrimEnd(), expected);
        Assert.Matches(@"^Valid for \d+ more seconds\.$", error.TrimEnd());
    }

    private async Task AddLoginAsync(string name, string uri, string? match = null, string[]? extra = null) =>
        await _cli.OkAsync(["add", "login", "--name", name, "--uri", uri, .. match is null ? [] : new[] { "--uri-match", $"{uri}={match}" }, .. extra ?? [], "--passwordenv", "MP"]);

    private async Task<string[]> NamesAsync(params string[] filters) =>
        [.. JsonDocument.Parse(await _cli.OkAsync(["list", "--json", .. filters, "--passwordenv", "MP"])).RootElement
            .EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];

    private async Task<JsonElement> ItemAsync(string nameOrId) =>
        JsonDocument.Parse(await _cli.OkAsync("get", "item", nameOrId, "--passwordenv", "MP")).RootElement;

    private async Task<string> FolderIdAsync(string name) =>
        JsonDocument.Parse(await _cli.OkAsync("folder", "list", "--json", "--passwordenv", "MP")).RootElement
            .EnumerateArray().Single(f => f.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;

    private static (string?, string?, int)[] Fields(JsonElement item) =>
        [.. item.GetProperty("fields").EnumerateArray().Select(f => (f.GetProperty("name").GetString(), f.GetProperty("value").GetString(), f.GetProperty("type").GetInt32()))];

    private static (string?, int?)[] Uris(JsonElement login) =>
        [.. login.GetProperty("uris").EnumerateArray().Select(u => (u.GetProperty("uri").GetString(),
            u.GetProperty("match").ValueKind == JsonValueKind.Null ? (int?)null : u.GetProperty("match").GetInt32()))];

    private Task<string> LoginNewAccountAsync() => CliAccounts.LoginNewAccountAsync(_cli, server.BaseUrl);
}
