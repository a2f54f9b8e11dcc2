using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Api;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>Items in the web vault: every type added and read back, edited, searched, filtered, trashed and restored.</summary>
public sealed class WebItemTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task ItemsOfEveryType_AddedInTheBrowser_ShowWhatWasEntered_AndTheServerStoresOnlyThat()
    {
        var account = TestAccount.CreateUnique();
        var web = await WebVault.OpenAsync(fixture);
        await web.RegisterAsync(account);

        await web.StartNewItemAsync("login");
        await web.Field("Name").FillAsync("Mail");
        await web.Field("Username").FillAsync("alice@example.com");
        await web.Field("Password").FillAsync("m4il-Pa55 ünïcode");
        await web.Field("Website (URI)").FillAsync("https://mail.example.com");
        await web.Field("Notes").FillAsync("two\nlines");
        await web.SaveItemAsync("Mail");
        var login = (await web.ItemValueAsync("Username"), await web.ItemValueAsync("Password"), await web.ItemValueAsync("Website"));
        await Screenshots.SaveAsync(web.Page, "item-login");

        await web.NavigateAsync("Vault");
        await web.StartNewItemAsync("secure note");
        await web.Field("Name").FillAsync("Door code");
        await web.Field("Notes").FillAsync("4711 then #");
        await web.SaveItemAsync("Door code");
        var note = await web.ItemValueAsync("Notes");

        await web.NavigateAsync("Vault");
        await web.StartNewItemAsync("card");
        await web.Field("Name").FillAsync("Travel card");
        await web.Field("Cardholder name").FillAsync("Alice Example");
        await web.Field("Brand").SelectOptionAsync("Visa");
        await web.Field("Number").FillAsync("4111 1111 1111 1111");
        await web.Field("Expiration month").SelectOptionAsync("7");
        await web.Field("Expiration year").FillAsync("2031");
        await web.Field("Security code").FillAsync("321");
        await web.SaveItemAsync("Travel card");
        var card = (await web.ItemValueAsync("Number"), await web.ItemValueAsync("Expiration"), await web.ItemValueAsync("Security code"));

        await web.NavigateAsync("Vault");
        await web.StartNewItemAsync("identity");
        await web.Field("Name").FillAsync("Me");
        await web.Field("First name").FillAsync("Alice");
        await web.Field("Last name").FillAsync("Example");
        await web.Field("Email").FillAsync("alice@example.org");
        await web.Field("City / Town").FillAsync("Zürich");
        await web.SaveItemAsync("Me");
        var identity = (await web.ItemValueAsync("First name"), await web.ItemValueAsync("City / Town"));
        await web.NavigateAsync("Vault");
        var names = await web.NamesInListAsync();
        var stored = await ServerVault.ReadAsync(fixture, account);

        Assert.Equal(("alice@example.com", "m4il-Pa55 ünïcode", "https://mail.example.com"), login);
        Assert.Equal("4711 then #", note);
        Assert.Equal(("4111111111111111", "7 / 2031", "321"), card);
        Assert.Equal(("Alice", "Zürich"), identity);
        Assert.Equal(["Door code", "Mail", "Me", "Travel card"], names.Order(StringComparer.Ordinal));

        var mail = stored.Item("Mail");
        Assert.Equal(CipherType.Login, mail.Type);
        Assert.Equal("alice@example.com", mail.Login?.Username);
        Assert.Equal("m4il-Pa55 ünïcode", mail.Login?.Password);
        Assert.Equal(["https://mail.example.com"], mail.Login?.Uris);
        Assert.Equal("two\nlines", mail.Notes);
        Assert.Equal(CipherType.SecureNote, stored.Item("Door code").Type);
        Assert.Equal("4711 then #", stored.Item("Door code").Notes);
        var travel = stored.Item("Travel card").Card;
        Assert.Equal(("Alice Example", "Visa", "4111111111111111", "7", "2031", "321"),
            (travel?.CardholderName, travel?.Brand, travel?.Number, travel?.ExpMonth, travel?.ExpYear, travel?.Code));
        var me = stored.Item("Me").Identity;
        Assert.Equal(("Alice", "Example", "alice@example.org", "Zürich"), (me?.FirstName, me?.LastName, me?.Email, me?.City));
    }

    [Fact]
    public async Task EditingALogin_ChangesWhatIsShownAndStored_AndKeepsTheOldPasswordInHistory()
    {
        var account = TestAccount.CreateUnique();
        var web = await WebVault.OpenAsync(fixture);
        await web.RegisterAsync(account);
        await web.StartNewItemAsync("login");
        await web.Field("Name").FillAsync("Router");
        await web.Field("Username").FillAsync("admin");
        await web.Field("Password").FillAsync("first-Pa55");
        await web.SaveItemAsync("Router");

        await web.Button("Edit").ClickAsync();
        await web.Heading("Edit login").WaitForAsync();
        await web.Field("Name").FillAsync("Home router");
        await web.Field("Password").FillAsync("second-Pa55");
        await web.SaveItemAsync("Home router");
        var shown = await web.ItemValueAsync("Password");
        var history = await web.Page.GetByText("Password history:").InnerTextAsync();
        var stored = await ServerVault.ReadAsync(fixture, account);

        Assert.Equal("second-Pa55", shown);
        Assert.Contains("1 earlier password", history, StringComparison.Ordinal);
        var item = Assert.Single(stored.Items);
        Assert.Equal("Home router", item.Name);
        Assert.Equal("second-Pa55", item.Login?.Password);
        Assert.Equal("first-Pa55", Assert.Single(item.PasswordHistory).Password);
    }

    [Fact]
    public async Task SearchAndFolderFilter_ShowExactlyTheMatchingItems()
    {
        var account = TestAccount.CreateUnique();
        var seeded = await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 40, 3);
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);
        var all = await web.NamesInListAsync();

        await web.SearchAsync("card 001");
        await Assertions.Expect(web.ListNames).ToHaveCountAsync(seeded.Items.Count(s => s.Item.Name.StartsWith("Card 001", StringComparison.Ordinal)));
        var searched = await web.NamesInListAsync();

        await web.SearchAsync("");
        await web.FilterFolderAsync("Folder 02");
        var inFolder = seeded.Items.Where(s => s.Folder == "Folder 02").Select(s => s.Item.Name).Order(StringComparer.Ordinal).ToList();
        await Assertions.Expect(web.ListNames).ToHaveCountAsync(inFolder.Count);
        var filtered = await web.NamesInListAsync();
        await Screenshots.SaveAsync(web.Page, "vault-filtered");

        Assert.Equal(seeded.Items.Select(s => s.Item.Name).Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.Equal(["Card 0010", "Card 0014", "Card 0018"], searched.Order(StringComparer.Ordinal));
        Assert.Equal(inFolder, filtered.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MoveToTrash_ThenRestore_TakesTheItemOutOfTheVaultAndBack()
    {
        var account = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 4, 1);
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);

        await web.OpenItemAsync("Note 0001");
        await web.Button("Move to trash").ClickAsync();
        await web.WaitForListAsync();
        var vaultAfterTrash = await web.NamesInListAsync();
        var deletedOnServer = (await ServerVault.ReadAsync(fixture, account)).Item("Note 0001").DeletedDate;
        await web.NavigateAsync("Trash");
        await web.WaitForListAsync();
        var trash = await web.NamesInListAsync();

        await web.OpenItemAsync("Note 0001");
        await web.Button("Restore").ClickAsync();
        await web.WaitForListAsync();
        var trashAfterRestore = await web.NamesInListAsync();
        await web.NavigateAsync("Vault");
        await web.WaitForListAsync();
        var vaultAfterRestore = await web.NamesInListAsync();
        var restoredOnServer = (await ServerVault.ReadAsync(fixture, account)).Item("Note 0001").DeletedDate;

        Assert.Equal(["Card 0002", "Identity 0003", "Login 0000"], vaultAfterTrash.Order(StringComparer.Ordinal));
        Assert.NotNull(deletedOnServer);
        Assert.Equal(["Note 0001"], trash);
        Assert.Empty(trashAfterRestore);
        Assert.Equal(["Card 0002", "Identity 0003", "Login 0000", "Note 0001"], vaultAfterRestore.Order(StringComparer.Ordinal));
        Assert.Null(restoredOnServer);
    }
}
