using System.Text.Json;
using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>`bw import bitwardencsv` posts to /api/ciphers/import; `bw export` must give the same vault back.</summary>
public sealed class BwImportExportTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    // The header is Bitwarden's own CSV export format; the quoted cells check that commas and quotes survive.
    private const string Csv = """"
        folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp
        Imported,,login,Forum,"line one, with comma",,0,https://forum.example.org,carol,"f0rum-""Pa55""",
        ,1,login,Shop,,,0,https://shop.example.net/account,dave,sh0p-Pa55,
        """";

    [Fact]
    public async Task BwImportBitwardenCsv_ThenExportJson_GivesBackEveryImportedField()
    {
        var bw = await fixture.RegisterAndLoginBwAsync(TestAccount.CreateUnique());
        var scratch = fixture.NewScratchFolder();
        var csvPath = Path.Combine(scratch, "import.csv");
        var exportPath = Path.Combine(scratch, "export.json");
        await File.WriteAllTextAsync(csvPath, Csv + "\n");

        await bw.OkAsync("bw import bitwardencsv", "import", "bitwardencsv", csvPath);
        await bw.OkAsync("bw sync --force (after import)", "sync", "--force");
        var listed = (await bw.JsonAsync("bw list items (after import)", "list", "items")).Items();
        await bw.OkAsync("bw export --format json", "export", "--format", "json", "--output", exportPath);
        Assert.True(File.Exists(exportPath), bw.Explain("bw export --format json", $"{exportPath} was not written"));
        using var export = JsonDocument.Parse(await File.ReadAllTextAsync(exportPath));

        Assert.Equal(2, listed.Length);
        var root = export.RootElement;
        Assert.Equal("False", root.Text("encrypted"));
        var folder = Assert.Single(root.GetProperty("folders").Items());
        Assert.Equal("Imported", folder.Text("name"));
        var items = root.GetProperty("items").Items().ToDictionary(i => i.Text("name") ?? "");
        Assert.Equal(["Forum", "Shop"], items.Keys.Order());

        var forum = items["Forum"];
        Assert.Equal(folder.Id(), forum.Text("folderId"));
        Assert.Equal("line one, with comma", forum.Text("notes"));
        Assert.Equal("carol", forum.Text("login", "username"));
        Assert.Equal("f0rum-\"Pa55\"", forum.Text("login", "password"));
        Assert.Equal("https://forum.example.org", forum.FirstUri());
        Assert.Equal("False", forum.Text("favorite"));

        var shop = items["Shop"];
        Assert.Null(shop.Text("folderId"));
        Assert.Equal("dave", shop.Text("login", "username"));
        Assert.Equal("sh0p-Pa55", shop.Text("login", "password"));
        Assert.Equal("https://shop.example.net/account", shop.FirstUri());
        Assert.Equal("True", shop.Text("favorite"));
    }
}
