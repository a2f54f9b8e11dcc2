using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Cli.Tests.Cli;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>
/// `coffer attachment` and `coffer send` / `receive` against the real server: bytes come back equal, the recipient
/// needs no account, and every refusal is the server's. Each test registers its own account.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FilesCliTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private const string SendPasswordVariable = "SEND_PASSWORD";

    private readonly CliRun _cli = new();
    private readonly CliRun _recipient = new();
    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("coffer-files-");

    public void Dispose()
    {
        _cli.Dispose();
        _recipient.Dispose();
        _files.Delete(recursive: true);
    }

    [Fact]
    public async Task AttachmentAdd_ThenGet_GivesBackTheSameBytes_AndRmRemovesIt()
    {
        await LoginAsync();
        await _cli.OkAsync("add", "login", "--name", "Bank", "--passwordenv", "MP");
        var content = RandomNumberGenerator.GetBytes(300_017);
        var source = WriteFile("recovery codes.pdf", content);

        var id = (await _cli.OkAsync("attachment", "add", "Bank", source, "--passwordenv", "MP")).Trim();
        var listed = await _cli.OkAsync("attachment", "list", "Bank", "--passwordenv", "MP");
        var target = Path.Combine(_files.FullName, "out.pdf");
        await _cli.OkAsync("attachment", "get", "Bank", "recovery", "--output", target, "--passwordenv", "MP");
        await _cli.OkAsync("attachment", "get", "Bank", id, "--output", "-", "--passwordenv", "MP");
        var toStdout = _cli.BinaryOut;
        var removed = await _cli.RunAsync("attachment", "rm", "Bank", "recovery codes.pdf", "--passwordenv", "MP");
        var afterRm = await _cli.OkAsync("attachment", "list", "Bank", "--passwordenv", "MP");
        var getAfterRm = await _cli.RunAsync("attachment", "get", "Bank", id, "--output", target, "--passwordenv", "MP");

        Assert.Matches("^[a-z0-9]{20,32}$", id);
        var columns = Assert.Single(listed.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Split('\t');
        Assert.Equal([id, "recovery codes.pdf", "300081"], columns);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.Equal(content, toStdout);
        Assert.Equal(0, removed.ExitCode);
        Assert.Equal("", afterRm);
        Assert.Equal(5, getAfterRm.ExitCode);
    }

    [Fact]
    public async Task AttachmentAdd_OfAnEmptyFile_RoundTrips_AndProgressStaysOffWhenStderrIsNotATerminal()
    {
        await LoginAsync();
        await _cli.OkAsync("add", "note", "--name", "Keys", "--notes", "n", "--passwordenv", "MP");
        var source = WriteFile("empty.txt", []);

        var (code, _, error) = await _cli.RunAsync("attachment", "add", "Keys", source, "--passwordenv", "MP");
        var target = Path.Combine(_files.FullName, "empty-back.txt");
        await _cli.OkAsync("attachment", "get", "Keys", "empty.txt", "--output", target, "--passwordenv", "MP");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Empty(await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task AttachmentAdd_OnATerminal_DrawsAProgressBarOnStderr_AndStdoutKeepsOnlyTheId()
    {
        await LoginAsync();
        await _cli.OkAsync("add", "login", "--name", "Scan", "--passwordenv", "MP");
        var source = WriteFile("passport.jpg", RandomNumberGenerator.GetBytes(2_000_000));
        _cli.ErrorIsTerminal = true;

        var (code, output, error) = await _cli.RunAsync("attachment", "add", "Scan", source, "--passwordenv", "MP");

        Assert.Equal(0, code);
        Assert.Matches("^[a-z0-9]{20,32}\n$", output);
        Assert.Contains("passport.jpg", error, StringComparison.Ordinal);
        Assert.Contains("100%", error, StringComparison.Ordinal);
        Assert.Contains("MiB", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AttachmentGet_WithoutOutput_RefusesToOverwriteAnExistingFile_AndNamesThatMatchSeveralAreRefused()
    {
        await LoginAsync();
        await _cli.OkAsync("add", "login", "--name", "Docs", "--passwordenv", "MP");
        await _cli.OkAsync("attachment", "add", "Docs", WriteFile("a-report.txt", "one"u8.ToArray()), "--passwordenv", "MP");
        await _cli.OkAsync("attachment", "add", "Docs", WriteFile("b-report.txt", "two"u8.ToArray()), "--passwordenv", "MP");

        var ambiguous = await _cli.RunAsync("attachment", "get", "Docs", "report", "--output", Path.Combine(_files.FullName, "x"), "--passwordenv", "MP");
        var exact = Path.Combine(_files.FullName, "exact.txt");
        await _cli.OkAsync("attachment", "get", "Docs", "B-REPORT.TXT", "--output", exact, "--passwordenv", "MP");

        Assert.Equal(1, ambiguous.ExitCode);
        Assert.Contains("matches 2 attachments", ambiguous.Error, StringComparison.Ordinal);
        Assert.Equal("two", await File.ReadAllTextAsync(exact));
    }

    [Fact]
    public async Task AttachmentOfAnOrganizationItem_IsEncryptedUnderTheOrganizationKey_AndOpenedByAMember()
    {
        await LoginAsync();
        var memberEmail = await CliAccounts.LoginNewAccountAsync(_recipient, server.BaseUrl);
        await _cli.OkAsync("org", "create", "Acme", "--passwordenv", "MP");
        await _cli.OkAsync("collection", "add", "Acme", "Ops", "--passwordenv", "MP");
        var link = await _cli.OkAsync("org", "invite", "Acme", memberEmail, "--collection", "Ops", "--passwordenv", "MP");
        await _recipient.OkAsync("org", "accept", link.Trim());
        var phrase = (await _recipient.OkAsync("get", "fingerprint", "me", "--passwordenv", "MP")).Trim();
        await _cli.OkAsync("org", "confirm", "Acme", memberEmail, "--fingerprint", phrase, "--passwordenv", "MP");
        await _cli.OkAsync("add", "login", "--name", "Router", "--org", "Acme", "--collection", "Ops", "--passwordenv", "MP");
        var content = RandomNumberGenerator.GetBytes(5_000);

        await _cli.OkAsync("attachment", "add", "Router", WriteFile("router-backup.cfg", content), "--passwordenv", "MP");
        await _recipient.OkAsync("sync");
        var target = Path.Combine(_files.FullName, "member-copy.cfg");
        await _recipient.OkAsync("attachment", "get", "Router", "router-backup.cfg", "--output", target, "--passwordenv", "MP");

        Assert.Equal(content, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task AttachmentsAndSends_StillOpen_AfterAUserKeyRotation()
    {
        var email = await LoginAsync();
        await _cli.OkAsync("add", "login", "--name", "Bank", "--passwordenv", "MP");
        var content = RandomNumberGenerator.GetBytes(10_000);
        await _cli.OkAsync("attachment", "add", "Bank", WriteFile("codes.txt", content), "--passwordenv", "MP");
        var link = (await _cli.OkAsync("send", "still here", "--name", "Kept", "--passwordfile", PasswordFile())).Trim();

        await _cli.OkAsync("account", "rotate-key", "--passwordenv", "MP");
        await _cli.OkAsync("login", email, "--passwordenv", "MP");
        var target = Path.Combine(_files.FullName, "codes-after.txt");
        await _cli.OkAsync("attachment", "get", "Bank", "codes.txt", "--output", target, "--passwordenv", "MP");
        var list = JsonDocument.Parse(await _cli.OkAsync("send", "list", "--json", "--passwordfile", PasswordFile())).RootElement;

        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        var send = Assert.Single(list.EnumerateArray());
        Assert.Equal("Kept", send.GetProperty("name").GetString());
        Assert.Equal(link, send.GetProperty("accessUrl").GetString());
        Assert.Equal("still here\n", await _recipient.OkAsync("receive", link));
    }

    [Fact]
    public async Task SendText_IsReceivedByAnotherConfigWithoutAnAccount_AndListedWithItsAccessCount()
    {
        await LoginAsync();

        var link = (await _cli.OkAsync("send", "Wi-Fi: hunter2 ✓", "--name", "Guest Wi-Fi", "--passwordfile", PasswordFile())).Trim();
        var received = await _recipient.OkAsync("receive", link);
        var list = await _cli.OkAsync("send", "list", "--passwordfile", PasswordFile());
        var json = JsonDocument.Parse(await _cli.OkAsync("send", "list", "--json", "--passwordfile", PasswordFile())).RootElement;

        Assert.StartsWith(server.BaseUrl.ToString().TrimEnd('/') + "/#/send/", link, StringComparison.Ordinal);
        Assert.Equal("Wi-Fi: hunter2 ✓\n", received);
        var columns = Assert.Single(list.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Split('\t');
        Assert.Equal("Guest Wi-Fi", columns[1]);
        Assert.Equal("text", columns[2]);
        Assert.Equal("1", columns[3]);
        Assert.Equal(link, columns[5]);
        var send = Assert.Single(json.EnumerateArray());
        Assert.Equal("Wi-Fi: hunter2 ✓", send.GetProperty("text").GetProperty("text").GetString());
        Assert.Equal(link, send.GetProperty("accessUrl").GetString());
        Assert.False(send.GetProperty("passwordSet").GetBoolean());
    }

    [Fact]
    public async Task SendWithPassword_IsRefusedWithoutOrWithAWrongPassword_AndOpensWithTheRightOne()
    {
        await LoginAsync();
        _cli.SetEnvironment(SendPasswordVariable, "open sesame");
        var link = (await _cli.OkAsync("send", "the code is 4711", "--passwordenv", SendPasswordVariable, "--passwordfile", PasswordFile())).Trim();

        var without = await _recipient.RunAsync("receive", link);
        _recipient.SetEnvironment(SendPasswordVariable, "open sesame?");
        var wrong = await _recipient.RunAsync("receive", link, "--passwordenv", SendPasswordVariable);
        _recipient.SetEnvironment(SendPasswordVariable, "open sesame");
        var right = await _recipient.OkAsync("receive", link, "--passwordenv", SendPasswordVariable);

        Assert.Equal(1, without.ExitCode);
        Assert.Contains("has a password", without.Error, StringComparison.Ordinal);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("Invalid Send password", wrong.Error, StringComparison.Ordinal);
        Assert.Equal("the code is 4711\n", right);
    }

    [Fact]
    public async Task SendPassword_ThatIsTheMasterPassword_IsRefusedBeforeAnythingIsSent()
    {
        await LoginAsync();

        var (code, _, error) = await _cli.RunAsync("send", "secret", "--passwordenv", "MP", "--passwordfile", PasswordFile());
        var list = await _cli.OkAsync("send", "list", "--passwordfile", PasswordFile());

        Assert.Equal(2, code);
        Assert.Contains("master password", error, StringComparison.Ordinal);
        Assert.Equal("", list);
    }

    [Fact]
    public async Task SendFile_WithMaxAccessOne_IsReceivedOnce_ThenNotFound()
    {
        await LoginAsync();
        var content = RandomNumberGenerator.GetBytes(123_457);
        var source = WriteFile("contract.pdf", content);

        var link = (await _cli.OkAsync("send", "--file", source, "--max-access", "1", "--expire", "1h", "--passwordfile", PasswordFile())).Trim();
        var target = Path.Combine(_files.FullName, "received.pdf");
        await _recipient.OkAsync("receive", link, "--output", target);
        var again = await _recipient.RunAsync("receive", link, "--output", Path.Combine(_files.FullName, "again.pdf"));
        var json = JsonDocument.Parse(await _cli.OkAsync("send", "list", "--json", "--passwordfile", PasswordFile())).RootElement;

        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.Equal(5, again.ExitCode);
        Assert.Contains("no longer available", again.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_files.FullName, "again.pdf")));
        var send = Assert.Single(json.EnumerateArray());
        Assert.Equal("contract.pdf", send.GetProperty("name").GetString());
        Assert.Equal("contract.pdf", send.GetProperty("file").GetProperty("fileName").GetString());
        Assert.Equal(1, send.GetProperty("accessCount").GetInt32());
        Assert.Equal(1, send.GetProperty("maxAccessCount").GetInt32());
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        Assert.InRange(send.GetProperty("deletionDate").GetDateTime().ToUniversalTime(), now.AddMinutes(55), now.AddMinutes(61));
    }

    [Fact]
    public async Task SendRm_DeletesTheSend_AndItsLinkStopsWorking()
    {
        await LoginAsync();
        var link = (await _cli.OkAsync("send", "text", "list", "--passwordfile", PasswordFile())).Trim();
        var id = JsonDocument.Parse(await _cli.OkAsync("send", "list", "--json", "--passwordfile", PasswordFile())).RootElement[0].GetProperty("id").GetString()!;
        var text = await _recipient.OkAsync("receive", link);

        await _cli.OkAsync("send", "rm", id, "--passwordfile", PasswordFile());
        var after = await _recipient.RunAsync("receive", link);
        var list = await _cli.OkAsync("send", "list", "--passwordfile", PasswordFile());
        var unknown = await _cli.RunAsync("send", "rm", id, "--passwordfile", PasswordFile());

        Assert.Equal("list\n", text);
        Assert.Equal(5, after.ExitCode);
        Assert.Equal("", list);
        Assert.Equal(5, unknown.ExitCode);
    }

    [Fact]
    public async Task Receive_OfALinkWithATamperedKey_FailsToDecrypt_AndWritesNothing()
    {
        await LoginAsync();
        var source = WriteFile("notes.txt", "private"u8.ToArray());
        var link = (await _cli.OkAsync("send", "--file", source, "--passwordfile", PasswordFile())).Trim();
        var tampered = link[..^2] + (link[^2] == 'A' ? "B" : "A") + link[^1];
        var target = Path.Combine(_files.FullName, "tampered.txt");

        var (code, _, error) = await _recipient.RunAsync("receive", tampered, "--output", target);

        Assert.Equal(1, code);
        Assert.Contains("decrypt", error, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(_files.FullName, "*.partial"));
    }

    [Fact]
    public async Task Receive_OfAMalformedLink_IsAUsageError()
    {
        var (code, _, error) = await _recipient.RunAsync("receive", server.BaseUrl + "#/send/only-one-part");

        Assert.Equal(2, code);
        Assert.Contains("#/send/ACCESS-ID/KEY", error, StringComparison.Ordinal);
    }

    private Task<string> LoginAsync() => CliAccounts.LoginNewAccountAsync(_cli, server.BaseUrl);

    // On `send`, --passwordenv is the Send's password, so the master password comes from a file here.
    private string PasswordFile()
    {
        var path = Path.Combine(_cli.ConfigDir, "master-password");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, CliAccounts.Password + "\n");
        }

        return path;
    }

    private string WriteFile(string name, byte[] content)
    {
        var path = Path.Combine(_files.FullName, name);
        File.WriteAllBytes(path, content);
        return path;
    }
}
