using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Coffer.Cli.Tests.Cli;
using F = Coffer.Testing.ImportFixtures;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>`coffer import` and `coffer export` against the real server. Each test registers its own account.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ImportExportTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly CliRun _cli = new();
    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("coffer-import-");

    public void Dispose()
    {
        _cli.Dispose();
        _files.Delete(recursive: true);
    }

    public static TheoryData<string, string?, string?> Formats => new()
    {
        { "chromecsv", null, null },
        { "edgecsv", null, null },
        { "safaricsv", null, F.Totp },
        { "bitwardencsv", "Finance/Banks", F.Totp },
        { "keepassxcsv", "Finance/Banks", F.Totp },
        { "1passwordcsv", null, F.Totp },
        { "lastpasscsv", "Finance/Banks", "JBSWY3DPEHPK3PXP" },
        { "keepass2xml", "Finance/Banks", F.Totp },
        { "1password1pux", "Finance", F.Totp },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Import_EachFormat_StoresEveryFieldOnTheServer(string format, string? folder, string? totp)
    {
        await LoginNewAccountAsync();
        var path = WriteFixture(format);

        var output = await _cli.OkAsync("import", format, path, "--passwordenv", "MP");

        Assert.StartsWith("Imported ", output, StringComparison.Ordinal);
        await _cli.OkAsync("sync");
        var item = Items().Single(i => i.GetProperty("name").GetString() == F.Name);
        var login = item.GetProperty("login");
        Assert.Equal(F.User, login.GetProperty("username").GetString());
        Assert.Equal(F.Password, login.GetProperty("password").GetString());
        Assert.Equal(F.Url, login.GetProperty("uris")[0].GetProperty("uri").GetString());
        Assert.Equal(F.Notes, item.GetProperty("notes").GetString());
        Assert.Equal(totp, login.GetProperty("totp").GetString());
        Assert.Equal(folder, FolderOf(item));
    }

    [Fact]
    public async Task Import_CustomFieldsAndNotes_ReachTheServer()
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("import", "keepass2xml", WriteFixture("keepass2xml"), "--passwordenv", "MP");

        var bank = Items().Single(i => i.GetProperty("name").GetString() == F.Name);
        var fields = bank.GetProperty("fields").EnumerateArray().Select(f => (f.GetProperty("type").GetInt32(), f.GetProperty("name").GetString(), f.GetProperty("value").GetString()));
        Assert.Equal([(1, "PIN", "1234"), (0, "Branch", "Main St.")], fields);
        Assert.Equal(2, Items().Count);
    }

    [Fact]
    public async Task Import_AMalformedRow_ImportsNothingAndNamesTheLine()
    {
        await LoginNewAccountAsync();
        var path = Write("bad.csv", F.Lines("name,url,username,password,note", F.Row("One", "https://one.example", "u1", "p1", "a\nb"), "Two,https://two.example", "Three,https://three.example,u3,p3,"));

        var (code, _, error) = await _cli.RunAsync("import", "chromecsv", path, "--passwordenv", "MP");

        Assert.Equal(1, code);
        Assert.Contains("line 4:", error, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", error, StringComparison.Ordinal);
        Assert.Contains("--skip-bad-rows", error, StringComparison.Ordinal);
        await _cli.OkAsync("sync");
        Assert.Empty(Items());
    }

    [Fact]
    public async Task Import_AMalformedRowWithSkipBadRows_ImportsTheOthers()
    {
        await LoginNewAccountAsync();
        var path = Write("bad.csv", F.Lines("name,url,username,password,note", F.Row("One", "https://one.example", "u1", "p1", "a\nb"), "Two,https://two.example", "Three,https://three.example,u3,p3,"));

        var (code, output, error) = await _cli.RunAsync("import", "chromecsv", path, "--skip-bad-rows", "--passwordenv", "MP");

        Assert.Equal(0, code);
        Assert.Contains("line 4:", error, StringComparison.Ordinal);
        Assert.Contains("Imported 2 items", output, StringComparison.Ordinal);
        Assert.Equal(["One", "Three"], Items().Select(i => i.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Import_OneHundredThousandRows_AllReachTheServerInBatches()
    {
        await LoginNewAccountAsync();
        var path = Path.Combine(_files.FullName, "large.csv");
        F.WriteLargeBitwardenCsv(path, 100_000);
        var clock = Stopwatch.StartNew();

        var output = await _cli.OkAsync("import", "bitwardencsv", path, "--no-sync", "--passwordenv", "MP");

        Assert.StartsWith("Imported 100000 items (10 new folders)", output, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(5), $"took {clock.Elapsed}");
        var events = await _cli.OkAsync("events", "--passwordenv", "MP");
        // One import event (9200) per request: 200 batches of 500.
        Assert.Equal(200, events.Split('\n').Count(l => l.Contains("\t9200\t", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ImportProtectedJson_WithTheFilePasswordFromEnv_ImportsAndAWrongOneImportsNothing()
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("import", "bitwardencsv", WriteFixture("bitwardencsv"), "--passwordenv", "MP");
        _cli.SetEnvironment("FILEPW", "file pässword");
        var exported = Path.Combine(_files.FullName, "protected.json");
        await _cli.OkAsync("export", "--format", "encrypted_json", "--output", exported, "--file-passwordenv", "FILEPW", "--passwordenv", "MP");

        await LoginNewAccountAsync();
        _cli.SetEnvironment("FILEPW", "wrong");
        var (code, _, error) = await _cli.RunAsync("import", "bitwardenjson", exported, "--file-passwordenv", "FILEPW", "--passwordenv", "MP");
        Assert.Equal(1, code);
        Assert.Contains("Wrong file password", error, StringComparison.Ordinal);

        _cli.SetEnvironment("FILEPW", "file pässword");
        await _cli.OkAsync("import", "bitwardenjson", exported, "--file-passwordenv", "FILEPW", "--passwordenv", "MP");
        var item = Items().Single(i => i.GetProperty("name").GetString() == F.Name);
        Assert.Equal(F.Password, item.GetProperty("login").GetProperty("password").GetString());
        Assert.Equal("Finance/Banks", FolderOf(item));
        Assert.Equal(2, Items().Count);
    }

    [Theory]
    [InlineData("json", "bitwardenjson")]
    [InlineData("csv", "bitwardencsv")]
    [InlineData("encrypted_json", "bitwardenjson")]
    public async Task Export_ThenImportIntoAnotherAccount_GivesTheSameItems(string exportFormat, string importFormat)
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("import", "bitwardencsv", WriteFixture("bitwardencsv"), "--passwordenv", "MP");
        var before = Items().Select(Comparable).Order(StringComparer.Ordinal).ToList();
        _cli.SetEnvironment("FILEPW", "export pw");
        var path = Path.Combine(_files.FullName, "export-" + exportFormat);

        await _cli.OkAsync("export", "--format", exportFormat, "--output", path, "--file-passwordenv", "FILEPW", "--passwordenv", "MP");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(exportFormat != "encrypted_json", File.ReadAllText(path).Contains(F.User, StringComparison.Ordinal));
        await LoginNewAccountAsync();
        await _cli.OkAsync("import", importFormat, path, "--file-passwordenv", "FILEPW", "--passwordenv", "MP");
        Assert.Equal(before, Items().Select(Comparable).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task Export_ToStdoutWithoutATerminal_PrintsTheCsvWithoutAsking()
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("import", "chromecsv", WriteFixture("chromecsv"), "--passwordenv", "MP");

        var output = await _cli.OkAsync("export", "--format", "csv", "--passwordenv", "MP");

        Assert.StartsWith("folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n", output, StringComparison.Ordinal);
        Assert.Contains(F.Row(F.Name), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ToAnExistingFile_RefusesAndKeepsIt()
    {
        await LoginNewAccountAsync();
        var path = Write("existing.json", "keep me");

        var (code, _, error) = await _cli.RunAsync("export", "--format", "json", "--output", path, "--passwordenv", "MP");

        Assert.Equal(1, code);
        Assert.Contains("already exists", error, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(path));
    }

    [Fact]
    public async Task ExportEncryptedJson_WithoutAFilePasswordOrTerminal_SaysHowToGiveOne()
    {
        await LoginNewAccountAsync();

        var (code, _, error) = await _cli.RunAsync("export", "--format", "encrypted_json", "--output", Path.Combine(_files.FullName, "x.json"), "--passwordenv", "MP");

        Assert.Equal(1, code);
        Assert.Contains("--file-passwordenv", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_UnknownFormat_IsAUsageError()
    {
        var (code, _, error) = await _cli.RunAsync("import", "nosuchcsv", "file.csv");
        Assert.Equal(2, code);
        Assert.Contains("nosuchcsv", error, StringComparison.Ordinal);
        Assert.Contains("lastpasscsv", await _cli.OkAsync("import", "--formats"), StringComparison.Ordinal);
    }

    private static string Comparable(JsonElement item)
    {
        var clone = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(item.GetRawText())!;
        foreach (var volatileKey in new[] { "id", "folderId", "creationDate", "revisionDate", "passwordHistory" })
        {
            clone.Remove(volatileKey);
        }

        return JsonSerializer.Serialize(clone);
    }

    private string? FolderOf(JsonElement item)
    {
        if (item.GetProperty("folderId").GetString() is not { } id)
        {
            return null;
        }

        var folders = _cli.OkAsync("folder", "list", "--passwordenv", "MP").GetAwaiter().GetResult();
        return folders.Split('\n').Select(l => l.Split('\t')).Single(p => p[0] == id)[1];
    }

    private List<JsonElement> Items() =>
        [.. JsonDocument.Parse(_cli.OkAsync("list", "--json", "--passwordenv", "MP").GetAwaiter().GetResult()).RootElement.EnumerateArray()];

    private string WriteFixture(string format) => format switch
    {
        "1password1pux" => WriteBytes("export.1pux", F.OnePassword1Pux()),
        "keepass2xml" => Write("keepass.xml", F.KeePass2Xml),
        "chromecsv" or "edgecsv" => Write("chrome.csv", F.ChromeCsv),
        "safaricsv" => Write("safari.csv", F.SafariCsv),
        "bitwardencsv" => Write("bitwarden.csv", F.BitwardenCsv),
        "keepassxcsv" => Write("keepassx.csv", F.KeePassXCsv),
        "1passwordcsv" => Write("1password.csv", F.OnePasswordCsv),
        "lastpasscsv" => Write("lastpass.csv", F.LastPassCsv),
        _ => throw new ArgumentException(format, nameof(format)),
    };

    private string Write(string name, string text) => WriteBytes(name, Encoding.UTF8.GetBytes(text));

    private string WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(_files.FullName, Guid.NewGuid().ToString("N")[..8] + "-" + name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private async Task LoginNewAccountAsync()
    {
        var email = $"user-{Guid.NewGuid():N}@example.com";
        _cli.SetEnvironment("MP", Password);
        await _cli.OkAsync("config", "server", server.BaseUrl.ToString());
        await _cli.OkAsync("register", email, "--name", "Test", "--passwordenv", "MP");
        await _cli.OkAsync("login", email, "--passwordenv", "MP");
    }
}
