using System.Text;
using System.Text.Json;
using Coffer.E2E.Tests.Harness;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>Import from Bitwarden and Chrome files, export to plain and password-protected JSON.</summary>
public sealed class WebImportExportTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string BitwardenJson = """
        {"encrypted":false,"folders":[{"id":"6c0d3a8e-0000-4000-8000-000000000001","name":"Imported"}],"items":[
          {"id":"6c0d3a8e-0000-4000-8000-000000000002","folderId":"6c0d3a8e-0000-4000-8000-000000000001","type":1,"name":"From JSON",
           "notes":"json notes","favorite":false,"login":{"username":"json-user","password":"js0n-Pa55","totp":null,
           "uris":[{"match":null,"uri":"https://json.example.com"}]}},
          {"id":"6c0d3a8e-0000-4000-8000-000000000003","folderId":null,"type":2,"name":"JSON note","notes":"note body","secureNote":{"type":0}}]}
        """;

    private const string BitwardenCsv = """
        folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp
        Work,,login,From CSV,,,0,https://csv.example.com,csv-user,c5v-Pa55,
        ,,note,CSV note,csv note body,,0,,,,
        """;

    private const string ChromeCsv = """
        name,url,username,password,note
        chrome.example.com,https://chrome.example.com/login,chrome-user,chr0me-Pa55,
        """;

    [Fact]
    public async Task Import_OfBitwardenJsonAndCsvAndChromeCsv_AddsTheirItemsAndFolders()
    {
        var account = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 0, 0);
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);

        await ImportAsync(web, "Bitwarden (json)", "export.json", BitwardenJson, "Imported 2 items and 1 folder.");
        await ImportAsync(web, "Bitwarden (csv)", "export.csv", BitwardenCsv, "Imported 2 items and 1 folder.");
        await ImportAsync(web, "Chrome (csv)", "Chrome Passwords.csv", ChromeCsv, "Imported 1 item and 0 folders.");
        await web.NavigateAsync("Vault");
        await web.WaitForListAsync();
        var names = await web.NamesInListAsync();
        var stored = await ServerVault.ReadAsync(fixture, account);

        string[] expected = ["CSV note", "From CSV", "From JSON", "JSON note", "chrome.example.com"];
        Assert.Equal(expected, names.Order(StringComparer.Ordinal));
        Assert.Equal(expected, stored.Items.Select(i => i.Name).Order(StringComparer.Ordinal));
        var json = stored.Item("From JSON");
        Assert.Equal(("json-user", "js0n-Pa55", "json notes", "Imported"), (json.Login?.Username, json.Login?.Password, json.Notes, stored.FolderName(json.FolderId)));
        Assert.Equal(["https://json.example.com"], json.Login?.Uris);
        Assert.Equal("note body", stored.Item("JSON note").Notes);
        var csv = stored.Item("From CSV");
        Assert.Equal(("csv-user", "c5v-Pa55", "Work"), (csv.Login?.Username, csv.Login?.Password, stored.FolderName(csv.FolderId)));
        Assert.Equal("csv note body", stored.Item("CSV note").Notes);
        var chrome = stored.Item("chrome.example.com");
        Assert.Equal(("chrome-user", "chr0me-Pa55"), (chrome.Login?.Username, chrome.Login?.Password));
        Assert.Equal(["https://chrome.example.com/login"], chrome.Login?.Uris);
    }

    [Fact]
    public async Task Export_AsJson_HoldsWhatWasEntered_AndTheProtectedExportHidesIt_YetImportsBackWithItsPassword()
    {
        var account = TestAccount.CreateUnique();
        var seeded = await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 4, 1);
        var login = seeded.Items[0].Item;
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);

        await web.NavigateAsync("Export");
        await web.Field("File format").SelectOptionAsync(new SelectOptionValue { Label = "JSON" });
        var plain = await ExportAsync(web, account.Password);
        await web.Field("File format").SelectOptionAsync(new SelectOptionValue { Label = "JSON (password protected)" });
        await web.Field("File password").FillAsync("file-Pa55-word");
        await web.Field("Confirm file password").FillAsync("file-Pa55-word");
        var protectedExport = await ExportAsync(web, account.Password);

        var other = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, other.Email, other.Password, 0, 0);
        var second = await WebVault.OpenAsync(fixture);
        await second.LoginAsync(other.Email, other.Password);
        await second.NavigateAsync("Import");
        await second.Field("File password").FillAsync("file-Pa55-word");
        await ImportAsync(second, "Bitwarden (json)", "protected.json", protectedExport, "Imported 4 items and 1 folder.");
        var imported = await ServerVault.ReadAsync(fixture, other);

        using var plainJson = JsonDocument.Parse(plain);
        var items = plainJson.RootElement.GetProperty("items").EnumerateArray().ToList();
        var exportedLogin = Assert.Single(items, i => i.GetProperty("name").GetString() == login.Name);
        Assert.False(plainJson.RootElement.GetProperty("encrypted").GetBoolean());
        Assert.Equal(seeded.Items.Select(s => s.Item.Name).Order(StringComparer.Ordinal), items.Select(i => i.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(login.Login?.Password, exportedLogin.GetProperty("login").GetProperty("password").GetString());
        Assert.Equal(login.Login?.Totp, exportedLogin.GetProperty("login").GetProperty("totp").GetString());
        Assert.Equal(["Folder 01"], plainJson.RootElement.GetProperty("folders").EnumerateArray().Select(f => f.GetProperty("name").GetString()));

        using var protectedJson = JsonDocument.Parse(protectedExport);
        Assert.True(protectedJson.RootElement.GetProperty("encrypted").GetBoolean());
        Assert.True(protectedJson.RootElement.GetProperty("passwordProtected").GetBoolean());
        Assert.DoesNotContain(login.Name, protectedExport, StringComparison.Ordinal);
        Assert.DoesNotContain(login.Login!.Password!, protectedExport, StringComparison.Ordinal);
        Assert.Equal(seeded.Items.Select(s => s.Item.Name).Order(StringComparer.Ordinal), imported.Items.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.Equal(login.Login.Password, imported.Item(login.Name).Login?.Password);
    }

    private static async Task ImportAsync(WebVault web, string format, string fileName, string content, string done)
    {
        if (!web.Page.Url.EndsWith("#/import", StringComparison.Ordinal))
        {
            await web.NavigateAsync("Import");
        }

        await web.Field("File format").SelectOptionAsync(new SelectOptionValue { Label = format });
        await web.Field("File to import").SetInputFilesAsync(new FilePayload
        {
            Name = fileName,
            MimeType = fileName.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv" : "application/json",
            Buffer = Encoding.UTF8.GetBytes(content),
        });
        await web.Button("Import items").ClickAsync();
        // The button is disabled while the import runs; the status line before that may still be the last import's.
        await Assertions.Expect(web.Button("Import items")).ToBeEnabledAsync();
        await Assertions.Expect(web.Page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "Imported" })).ToHaveTextAsync(done);
    }

    private static async Task<string> ExportAsync(WebVault web, string masterPassword)
    {
        await web.Field("Master password").FillAsync(masterPassword);
        var download = await web.Page.RunAndWaitForDownloadAsync(() => web.Button("Export vault").ClickAsync());
        return await File.ReadAllTextAsync(await download.PathAsync());
    }
}
