using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Crypto;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>One vault, three clients: what the web vault writes, bw and coffer read, and the other way round.</summary>
public sealed class WebInteropTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string TotpSecret = "JBSWY3DPEHPK3PXP";

    [Fact]
    public async Task ItemsMadeInTheBrowser_AreReadByBwAndCoffer()
    {
        var account = TestAccount.CreateUnique();
        var web = await WebVault.OpenAsync(fixture);
        await web.RegisterAsync(account);
        await web.NavigateAsync("Folders");
        await web.Field("New folder name").FillAsync("Shared");
        await web.Button("Add folder").ClickAsync();
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "Shared", Exact = true }).WaitForAsync();

        await web.NavigateAsync("Vault");
        await web.StartNewItemAsync("login");
        await web.Field("Name").FillAsync("Forum");
        await web.Field("Folder").SelectOptionAsync(new SelectOptionValue { Label = "Shared" });
        await web.Field("Username").FillAsync("carol");
        await web.Field("Password").FillAsync("f0rum-Pa55 ✓");
        await web.Field("Authenticator key (TOTP)").FillAsync(TotpSecret);
        await web.Field("Website (URI)").FillAsync("https://forum.example.net");
        await web.SaveItemAsync("Forum");
        await web.NavigateAsync("Vault");
        await web.StartNewItemAsync("card");
        await web.Field("Name").FillAsync("Visa card");
        await web.Field("Cardholder name").FillAsync("Carol Example");
        await web.Field("Number").FillAsync("4000056655665556");
        await web.Field("Expiration month").SelectOptionAsync("3");
        await web.Field("Expiration year").FillAsync("2029");
        await web.SaveItemAsync("Visa card");

        var bw = fixture.E2E.NewBw(account);
        await bw.LoginAsync(fixture.Url);
        var forum = await bw.JsonAsync("bw get item Forum", "get", "item", "Forum");
        var card = await bw.JsonAsync("bw get item Visa card", "get", "item", "Visa card");
        var folder = Assert.Single((await bw.JsonAsync("bw list folders", "list", "folders")).RealFolders());
        var coffer = fixture.E2E.NewCoffer(account);
        await coffer.LoginAsync(fixture.Url);
        var password = await coffer.OkAsync("coffer get password", "get", "password", "Forum");
        var listed = (await coffer.JsonAsync("coffer list --json", "list", "--json")).Items();

        Assert.Equal("carol", forum.Text("login", "username"));
        Assert.Equal("f0rum-Pa55 ✓", forum.Text("login", "password"));
        Assert.Equal(TotpSecret, forum.Text("login", "totp"));
        Assert.Equal("https://forum.example.net", forum.FirstUri());
        Assert.Equal("Shared", folder.Text("name"));
        Assert.Equal(folder.Id(), forum.Text("folderId"));
        Assert.Equal(("Carol Example", "4000056655665556", "3", "2029"),
            (card.Text("card", "cardholderName"), card.Text("card", "number"), card.Text("card", "expMonth"), card.Text("card", "expYear")));
        Assert.Equal("f0rum-Pa55 ✓\n", password);
        Assert.Equal(["Forum", "Visa card"], listed.Select(i => i.Text("name")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ItemsMadeByBwAndCoffer_ShowCorrectlyInTheBrowser()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.E2E.RegisterAndLoginBwAsync(account);
        await bw.JsonAsync("bw create item", "create", "item", BwClient.Encode(new
        {
            type = 1,
            name = "Git hosting",
            notes = "made by bw",
            login = new { username = "dave", password = "g1t-Pa55 ünïcode", totp = TotpSecret, uris = new[] { new { uri = "https://git.example.com" } } },
        }));
        await bw.JsonAsync("bw create card", "create", "item", BwClient.Encode(new
        {
            type = 3,
            name = "Bank card",
            card = new { cardholderName = "Dave Example", brand = "Mastercard", number = "5555555555554444", expMonth = "11", expYear = "2030", code = "987" },
        }));
        var coffer = fixture.E2E.NewCoffer(account);
        await coffer.LoginAsync(fixture.Url);
        await coffer.OkAsync("coffer folder add", "folder", "add", "From coffer");
        await coffer.OkAsync("coffer add login", "add", "login", "--name", "Wiki", "--username", "erin", "--password", "w1k1-Pa55",
            "--uri", "https://wiki.example.org", "--folder", "From coffer");

        var web = await WebVault.OpenAsync(fixture);
        var at = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
        await web.Page.Clock.SetFixedTimeAsync(at.UtcDateTime);
        await web.LoginAsync(account.Email, account.Password);
        var names = await web.NamesInListAsync();
        await web.OpenItemAsync("Git hosting");
        var git = (await web.ItemValueAsync("Username"), await web.ItemValueAsync("Password"), await web.ItemValueAsync("Website"), await web.ItemValueAsync("Notes"));
        await Assertions.Expect(web.Page.GetByTestId("totp-code")).Not.ToHaveTextAsync("······");
        var code = (await web.Page.GetByTestId("totp-code").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        await web.NavigateAsync("Vault");
        await web.OpenItemAsync("Bank card");
        var card = (await web.ItemValueAsync("Cardholder name"), await web.ItemValueAsync("Number"), await web.ItemValueAsync("Expiration"), await web.ItemValueAsync("Security code"));
        await web.NavigateAsync("Vault");
        await web.FilterFolderAsync("From coffer");
        await Assertions.Expect(web.ListNames).ToHaveCountAsync(1);
        await web.OpenItemAsync("Wiki");
        var wiki = (await web.ItemValueAsync("Username"), await web.ItemValueAsync("Password"), await web.Page.Locator("p.meta").First.InnerTextAsync());

        Assert.Equal(["Bank card", "Git hosting", "Wiki"], names.Order(StringComparer.Ordinal));
        Assert.Equal(("dave", "g1t-Pa55 ünïcode", "https://git.example.com", "made by bw"), git);
        Assert.Equal(Totp.Compute(Base32.Decode(TotpSecret), at), code);
        Assert.Equal(("Dave Example", "5555555555554444", "11 / 2030", "987"), card);
        Assert.Equal(("erin", "w1k1-Pa55"), (wiki.Item1, wiki.Item2));
        Assert.Contains("in From coffer", wiki.Item3, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountMadeInTheBrowserWithArgon2id_LogsInWithBw_AndCofferCoreDerivesTheSameKeys()
    {
        var account = TestAccount.CreateUnique();
        var web = await WebVault.OpenAsync(fixture);
        await web.RegisterWithArgon2idAsync(account);
        await web.StartNewItemAsync("secure note");
        await web.Field("Name").FillAsync("Argon note");
        await web.Field("Notes").FillAsync("derived with Argon2id in the browser");
        await web.SaveItemAsync("Argon note");

        var bw = fixture.E2E.NewBw(account);
        await bw.LoginAsync(fixture.Url);
        var note = await bw.JsonAsync("bw get item", "get", "item", "Argon note");
        var stored = await ServerVault.ReadAsync(fixture, account);

        Assert.Equal("derived with Argon2id in the browser", note.Text("notes"));
        Assert.Equal("derived with Argon2id in the browser", stored.Item("Argon note").Notes);
        Assert.Equal(new KdfConfig(KdfType.Argon2id, 3, 64, 4), stored.Kdf);
    }
}
