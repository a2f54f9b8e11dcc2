using System.Text;
using Coffer.Client.Crypto;
using Coffer.Client.Exchange;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using F = Coffer.Testing.ImportFixtures;

namespace Coffer.Client.Tests.Exchange;

public sealed class ImportFormatTests
{
    [Theory]
    [InlineData("chromecsv")]
    [InlineData("edgecsv")]
    [InlineData("bravecsv")]
    [InlineData("safaricsv")]
    [InlineData("bitwardencsv")]
    [InlineData("keepassxcsv")]
    [InlineData("1passwordcsv")]
    [InlineData("lastpasscsv")]
    [InlineData("keepass2xml")]
    [InlineData("1password1pux")]
    public void Read_EveryFormat_KeepsNameUsernamePasswordUriAndMultiLineNotes(string format)
    {
        var rows = Read(format);

        var item = Assert.Single(rows, r => r.Item?.Name == F.Name).Item!;
        Assert.Equal(CipherType.Login, item.Type);
        Assert.Equal(F.User, item.Login!.Username);
        Assert.Equal(F.Password, item.Login.Password);
        Assert.Equal(F.Url, item.Login.Uris[0]);
        Assert.Equal(F.Notes, item.Notes);
        Assert.All(rows, r => Assert.Null(r.Error));
    }

    [Theory]
    [InlineData("safaricsv", F.Totp)]
    [InlineData("bitwardencsv", F.Totp)]
    [InlineData("keepassxcsv", F.Totp)]
    [InlineData("1passwordcsv", F.Totp)]
    [InlineData("lastpasscsv", "JBSWY3DPEHPK3PXP")]
    [InlineData("keepass2xml", F.Totp)]
    [InlineData("1password1pux", F.Totp)]
    public void Read_FormatsWithTotp_KeepTheSecret(string format, string totp) =>
        Assert.Equal(totp, Read(format).Single(r => r.Item?.Name == F.Name).Item!.Login!.Totp);

    [Theory]
    [InlineData("bitwardencsv", "Finance/Banks")]
    [InlineData("keepassxcsv", "Finance/Banks")]
    [InlineData("lastpasscsv", "Finance/Banks")]
    [InlineData("keepass2xml", "Finance/Banks")]
    [InlineData("1password1pux", "Finance")]
    public void Read_GroupsAndGroupings_BecomeFolderPaths(string format, string folder)
    {
        var rows = Read(format);
        Assert.Equal(folder, rows.Single(r => r.Item?.Name == F.Name).Folder);
        Assert.DoesNotContain(rows, r => r.Folder is "Root" or "Database");
    }

    [Fact]
    public void Read_BitwardenCsv_KeepsFieldsFavoriteSecondUriAndNotes()
    {
        var rows = Read("bitwardencsv");
        var login = rows[0].Item!;
        Assert.True(login.Favorite);
        Assert.Equal([new FieldView(0, "PIN", "1234"), new FieldView(0, "Memorable", "blue")], login.Fields);
        Assert.Equal([F.Url, "https://m.bank.example.com"], login.Login!.Uris);
        var note = rows[1].Item!;
        Assert.Equal(CipherType.SecureNote, note.Type);
        Assert.Equal("SSID: home\nKey: ☕☕☕", note.Notes);
        Assert.Null(rows[1].Folder);
    }

    [Fact]
    public void Read_Chrome_NamesAnUnnamedRowDashDash() =>
        Assert.Equal("--", Read("chromecsv")[1].Item!.Name);

    [Fact]
    public void Read_Firefox_NamesByHostWithoutWwwAndSkipsTheFirefoxAccountRow()
    {
        var item = Assert.Single(Read("firefoxcsv")).Item!;
        Assert.Equal("bank.example.com", item.Name);
        Assert.Equal(F.Password, item.Login!.Password);
        Assert.Equal(["https://www.bank.example.com"], item.Login.Uris);
    }

    [Fact]
    public void Read_LastPass_SecureNoteRowIsANoteWithItsText()
    {
        var note = Read("lastpasscsv")[1];
        Assert.Equal(CipherType.SecureNote, note.Item!.Type);
        Assert.Equal("The alarm code is 4321.\nBack door: 99", note.Item.Notes);
        Assert.Equal("Home", note.Folder);
        Assert.True(Read("lastpasscsv")[0].Item!.Favorite);
    }

    [Fact]
    public void Read_KeePass2Xml_ProtectedStringsAreHiddenFieldsAndHistoryIsNotAnItem()
    {
        var rows = Read("keepass2xml");
        Assert.Equal(2, rows.Count);
        var bank = rows.Single(r => r.Item!.Name == F.Name).Item!;
        Assert.Equal([new FieldView(1, "PIN", "1234"), new FieldView(0, "Branch", "Main St.")], bank.Fields);
        Assert.Null(rows.Single(r => r.Item!.Name == "Top level").Folder);
    }

    [Fact]
    public void Read_1Pux_MapsCardsNotesHistoryAndSkipsTrash()
    {
        var rows = Read("1password1pux");
        Assert.Equal(["Alarm", F.Name, "Visa"], rows.Select(r => r.Item!.Name).Order(StringComparer.Ordinal));
        var login = rows.Single(r => r.Item!.Name == F.Name).Item!;
        Assert.True(login.Favorite);
        Assert.Contains(new FieldView(1, "PIN", "1234"), login.Fields);
        Assert.Equal("older-pw", Assert.Single(login.PasswordHistory).Password);
        var card = rows.Single(r => r.Item!.Name == "Visa").Item!;
        Assert.Equal(CipherType.Card, card.Type);
        Assert.Equal(("Zoë Q", "4111111111111111", "123", "12", "2027"), (card.Card!.CardholderName, card.Card.Number, card.Card.Code, card.Card.ExpMonth, card.Card.ExpYear));
        Assert.Equal(CipherType.SecureNote, rows.Single(r => r.Item!.Name == "Alarm").Item!.Type);
    }

    [Fact]
    public void Read_CsvWithARowOfTheWrongFieldCount_ReportsItsLineAndReadsTheRest()
    {
        var csv = F.Lines("name,url,username,password,note", F.Row("One", "https://one.example", "u1", "p1", "multi\nline"), "Two,https://two.example,u2", F.Row("Three", "https://three.example", "u3", "p3", ""));

        var rows = ImportFormats.Read("chromecsv", new MemoryStream(Encoding.UTF8.GetBytes(csv)), null).ToList();

        Assert.Equal(["One", null, "Three"], rows.Select(r => r.Item?.Name));
        Assert.Equal("line 4", rows[1].Where);
        Assert.Contains("5 fields", rows[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CsvOfAnotherFormat_SaysWhichColumnsAreMissing()
    {
        var rows = ImportFormats.Read("lastpasscsv", new MemoryStream(Encoding.UTF8.GetBytes(F.BitwardenCsv)), null);
        var e = Assert.Throws<ImportFileException>(() => rows.ToList());
        Assert.Contains("lacks url, username, password", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ANoteLongerThanTheServerTakes_IsABadRow()
    {
        var csv = F.Lines("name,url,username,password,note", F.Row("Long", "https://long.example", "u", "p", new string('x', 8000)));
        var row = Assert.Single(ImportFormats.Read("chromecsv", new MemoryStream(Encoding.UTF8.GetBytes(csv)), null));
        Assert.Contains("notes is too long", row.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportJson_ThenRead_GivesBackEveryField()
    {
        var (items, folders) = Vault();
        using var file = new MemoryStream();
        BitwardenJson.Write(file, items, folders);
        file.Position = 0;

        var rows = ImportFormats.Read("bitwardenjson", file, null).ToList();

        AssertSameVault(items, folders, rows);
    }

    [Fact]
    public void ExportEncryptedJson_ThenReadWithThePassword_GivesBackEveryField()
    {
        var (items, folders) = Vault();
        using var file = new MemoryStream();
        BitwardenJson.WriteProtected(file, items, folders, "file pässword", KdfConfig.DefaultPbkdf2);
        var text = Encoding.UTF8.GetString(file.ToArray());
        Assert.DoesNotContain("s3cret", text, StringComparison.Ordinal);
        Assert.Contains("\"passwordProtected\": true", text, StringComparison.Ordinal);

        file.Position = 0;
        var rows = ImportFormats.Read("bitwardenjson", file, () => "file pässword").ToList();

        AssertSameVault(items, folders, rows);
    }

    [Fact]
    public void ReadEncryptedJson_WithAWrongPassword_SaysSo()
    {
        var (items, folders) = Vault();
        using var file = new MemoryStream();
        BitwardenJson.WriteProtected(file, items, folders, "right", KdfConfig.DefaultPbkdf2);
        file.Position = 0;

        var e = Assert.Throws<ImportFileException>(() => ImportFormats.Read("bitwardenjson", file, () => "wrong").ToList());
        Assert.Contains("Wrong file password", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportCsv_ThenRead_KeepsLoginsAndNotes()
    {
        var (items, folders) = Vault();
        using var file = new MemoryStream();
        BitwardenCsv.Write(file, items, folders);
        file.Position = 0;

        var rows = ImportFormats.Read("bitwardencsv", file, null).ToList();

        Assert.Equal(2, rows.Count);
        Assert.Equal(Json(items[0] with { Id = null, FolderId = null, PasswordHistory = [] }), Json(rows[0].Item!));
        Assert.Equal("Work/Mail", rows[0].Folder);
        Assert.Equal(Json(items[1] with { Id = null }), Json(rows[1].Item!));
    }

    [Fact]
    public void ImportBatches_SplitAtFiveHundredItemsAndNameFoldersById()
    {
        using var key = SymmetricKey.Generate();
        var folderId = Guid.NewGuid();
        var rows = Enumerable.Range(0, 1201).Select(i => ImportRow.Ok(i + 2, new VaultItem { Name = $"n{i}", Login = new LoginView { Password = "p" } }, i % 2 == 0 ? "F" : null));

        var batches = ImportBatches.Create(rows, new Dictionary<string, Guid> { ["F"] = folderId }, key).ToList();

        Assert.Equal([500, 500, 201], batches.Select(b => b.Count));
        Assert.All(batches, b => Assert.Equal(folderId.ToString(), Assert.Single(b.Request.Folders!).Id));
        Assert.Equal(250, batches[0].Request.FolderRelationships!.Count);
        Assert.Equal("n0", VaultCrypto.Decrypt(Details(batches[0].Request.Ciphers![0]), key).Name);
        Assert.All(batches.SelectMany(b => b.Request.Ciphers!), c => Assert.False(string.IsNullOrEmpty(c.Key)));
    }

    private static CipherDetailsResponseModel Details(CipherRequestModel c) => new()
    {
        Id = Guid.NewGuid(),
        Type = c.Type,
        Key = c.Key,
        Name = c.Name,
        Login = c.Login,
        RevisionDate = DateTime.UnixEpoch,
        CreationDate = DateTime.UnixEpoch,
    };

    private static (List<VaultItem> Items, List<FolderView> Folders) Vault()
    {
        var folder = new FolderView(Guid.NewGuid(), "Work/Mail", DateTime.UnixEpoch);
        List<VaultItem> items =
        [
            new()
            {
                Id = Guid.NewGuid(), Name = "Mäil, \"work\"", Notes = "two\nlines", FolderId = folder.Id, Favorite = true,
                Fields = [new FieldView(0, "PIN", "1234"), new FieldView(0, "Team", "blue")],
                PasswordHistory = [new PasswordHistoryView("old", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc))],
                Login = new LoginView { Username = "me", Password = "s3cret", Totp = "JBSWY3DPEHPK3PXP", Uris = ["https://mail.example.com", "https://m.example.com"] },
            },
            new() { Id = Guid.NewGuid(), Type = CipherType.SecureNote, Name = "Note 日本", Notes = "text" },
            new() { Id = Guid.NewGuid(), Type = CipherType.Card, Name = "Visa", Card = new CardView { CardholderName = "Me", Number = "4111111111111111", ExpMonth = "7", ExpYear = "2030", Code = "123", Brand = "Visa" } },
            new() { Id = Guid.NewGuid(), Type = CipherType.Identity, Name = "Me", Identity = new IdentityView { FirstName = "Zoë", LastName = "Q", Email = "z@example.com" } },
        ];
        return (items, [folder]);
    }

    private static void AssertSameVault(List<VaultItem> items, List<FolderView> folders, List<ImportRow> rows)
    {
        Assert.Equal(items.Count, rows.Count);
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Null(rows[i].Error);
            Assert.Equal(Json(items[i] with { Id = null, FolderId = null }), Json(rows[i].Item!));
            Assert.Equal(items[i].FolderId is null ? null : folders[0].Name, rows[i].Folder);
        }
    }

    private static string Json(VaultItem item) => System.Text.Json.JsonSerializer.Serialize(item, CofferJson.Options);

    private static List<ImportRow> Read(string format)
    {
        var bytes = format switch
        {
            "chromecsv" or "edgecsv" or "bravecsv" => Encoding.UTF8.GetBytes(F.ChromeCsv),
            "firefoxcsv" => Encoding.UTF8.GetBytes(F.FirefoxCsv),
            "safaricsv" => Encoding.UTF8.GetBytes(F.SafariCsv),
            "bitwardencsv" => Encoding.UTF8.GetBytes(F.BitwardenCsv),
            "keepassxcsv" => Encoding.UTF8.GetBytes(F.KeePassXCsv),
            "1passwordcsv" => Encoding.UTF8.GetBytes(F.OnePasswordCsv),
            "lastpasscsv" => Encoding.UTF8.GetBytes(F.LastPassCsv),
            "keepass2xml" => Encoding.UTF8.GetBytes(F.KeePass2Xml),
            _ => F.OnePassword1Pux(),
        };
        return [.. ImportFormats.Read(format, new MemoryStream(bytes), null)];
    }
}
