using System.Text;
using System.Text.Json;
using Coffer.Cli.Storage;
using Coffer.Cli.Tests.Cli;
using Coffer.Client.Crypto;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>The CLI against the real server over HTTP. Each test registers its own account, so order never matters.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CliAgainstServerTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private const string Password = "correct horse battery staple";
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task RegisterLoginAddGet_RoundTripsAnItemThroughTheServer()
    {
        var email = await LoginNewAccountAsync();
        var id = (await _cli.OkAsync("add", "login", "--name", "GitHub", "--username", "alice", "--password", "s3cret!",
            "--uri", "https://github.com", "--passwordenv", "MP")).Trim();

        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal("s3cret!\n", await _cli.OkAsync("get", "password", "GitHub", "--passwordenv", "MP"));
        Assert.Equal("alice\n", await _cli.OkAsync("get", "username", id, "--passwordenv", "MP"));

        var items = JsonDocument.Parse(await _cli.OkAsync("list", "--json", "--passwordenv", "MP")).RootElement;
        Assert.Equal(1, items.GetArrayLength());
        Assert.Equal("https://github.com", items[0].GetProperty("login").GetProperty("uris")[0].GetProperty("uri").GetString());
        Assert.Equal(1, items[0].GetProperty("type").GetInt32());
        Assert.Contains(email, await File.ReadAllTextAsync(SessionPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_StoresTokensAndEncryptedVault_ButNeverThePasswordOrUserKey()
    {
        var email = await LoginNewAccountAsync();
        await _cli.OkAsync("add", "note", "--name", "Secret note", "--notes", "the launch code is 0000", "--passwordenv", "MP");

        var session = JsonSerializer.Deserialize<SessionState>(await File.ReadAllTextAsync(SessionPath), WebJson)!;
        using var userKey = UserKeys.Unlock(session.ProtectedUserKey, Password, email, session.Kdf.ToConfig());
        var bytes = await File.ReadAllBytesAsync(SessionPath);
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SessionPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_cli.ConfigDir));
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(userKey.ToArray()), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(userKey.ToArray()), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("launch code", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret note", text, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(session.RefreshToken));
        Assert.Equal(userKey.KeyId, session.Sync!.UserDecryption.UserKeyId);
    }

    [Fact]
    public async Task EditTrashRestoreAndPermanentDelete_FollowTheServer()
    {
        await LoginNewAccountAsync();
        var id = (await _cli.OkAsync("add", "login", "--name", "Mail", "--password", "one", "--passwordenv", "MP")).Trim();

        await _cli.OkAsync("edit", "Mail", "--password", "two", "--username", "bob", "--passwordenv", "MP");
        var item = JsonDocument.Parse(await _cli.OkAsync("get", "item", id, "--passwordenv", "MP")).RootElement;
        Assert.Equal("two", item.GetProperty("login").GetProperty("password").GetString());
        Assert.Equal("bob", item.GetProperty("login").GetProperty("username").GetString());
        Assert.Equal("one", item.GetProperty("passwordHistory")[0].GetProperty("password").GetString());

        await _cli.OkAsync("rm", "Mail", "--passwordenv", "MP");
        Assert.Equal("", await _cli.OkAsync("list", "--passwordenv", "MP"));
        Assert.StartsWith(id, await _cli.OkAsync("list", "--trash", "--passwordenv", "MP"), StringComparison.Ordinal);

        await _cli.OkAsync("restore", id, "--passwordenv", "MP");
        Assert.StartsWith(id, await _cli.OkAsync("list", "--passwordenv", "MP"), StringComparison.Ordinal);

        await _cli.OkAsync("rm", id, "--permanent", "--passwordenv", "MP");
        await _cli.OkAsync("sync");
        Assert.Equal("", await _cli.OkAsync("list", "--passwordenv", "MP"));
        Assert.Equal("", await _cli.OkAsync("list", "--trash", "--passwordenv", "MP"));
    }

    [Fact]
    public async Task Folders_AddRenameFilterAndRemove()
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("folder", "add", "Work", "--passwordenv", "MP");
        await _cli.OkAsync("add", "login", "--name", "Jira", "--folder", "Work", "--generate", "--passwordenv", "MP");
        await _cli.OkAsync("add", "login", "--name", "Home wifi", "--passwordenv", "MP");

        await _cli.OkAsync("folder", "rename", "Work", "Job", "--passwordenv", "MP");
        Assert.EndsWith("\tJob\n", await _cli.OkAsync("folder", "list", "--passwordenv", "MP"), StringComparison.Ordinal);
        var inJob = await _cli.OkAsync("list", "--folder", "Job", "--passwordenv", "MP");
        Assert.Contains("\tJira\t", inJob, StringComparison.Ordinal);
        Assert.DoesNotContain("Home wifi", inJob, StringComparison.Ordinal);
        Assert.Equal(20, (await _cli.OkAsync("get", "password", "Jira", "--passwordenv", "MP")).TrimEnd().Length);

        await _cli.OkAsync("folder", "rm", "Job", "--passwordenv", "MP");
        Assert.Equal("", await _cli.OkAsync("folder", "list", "--passwordenv", "MP"));
        Assert.Contains("\tJira\t", await _cli.OkAsync("list", "--passwordenv", "MP"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AmbiguousName_IsAnErrorListingTheIds()
    {
        await LoginNewAccountAsync();
        var a = (await _cli.OkAsync("add", "note", "--name", "Bank A", "--passwordenv", "MP")).Trim();
        var b = (await _cli.OkAsync("add", "note", "--name", "Bank B", "--passwordenv", "MP")).Trim();

        var (code, output, error) = await _cli.RunAsync("get", "notes", "Bank", "--passwordenv", "MP");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains(a, error, StringComparison.Ordinal);
        Assert.Contains(b, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPassword_FailsLoginWithTheServersMessage_AndUnlockLocally()
    {
        var email = await LoginNewAccountAsync();
        _cli.SetEnvironment("WRONG", "not the password");

        var (code, _, error) = await _cli.RunAsync("list", "--passwordenv", "WRONG");
        Assert.Equal(1, code);
        Assert.Equal("Error: Invalid master password.", error.TrimEnd());

        (code, _, error) = await _cli.RunAsync("login", email, "--passwordenv", "WRONG");
        Assert.Equal(1, code);
        Assert.StartsWith("Error: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task PasswordFile_UnlocksLikePasswordEnv()
    {
        await LoginNewAccountAsync();
        var file = Path.Combine(_cli.ConfigDir, "pw.txt");
        await File.WriteAllTextAsync(file, Password + "\n");
        await _cli.OkAsync("add", "note", "--name", "N", "--passwordfile", file);
        Assert.Contains("\tN\t", await _cli.OkAsync("list", "--passwordfile", file), StringComparison.Ordinal);
    }

    private string SessionPath => Path.Combine(_cli.ConfigDir, StateFiles.Session);

    [Fact]
    public async Task Events_ListTheAccountsOwnLoginsAndItemChanges()
    {
        await LoginNewAccountAsync();
        var id = (await _cli.OkAsync("add", "login", "--name", "Bank", "--password", "p", "--passwordenv", "MP")).Trim();

        var events = JsonDocument.Parse(await _cli.OkAsync("events", "--json")).RootElement;
        var text = await _cli.OkAsync("events");

        Assert.Equal([1100, 1000, 9000], events.EnumerateArray().Select(e => e.GetProperty("type").GetInt32()).Take(3));
        Assert.Equal(id, events[0].GetProperty("cipherId").GetString());
        Assert.Contains("item created", text, StringComparison.Ordinal);
        Assert.Contains("logged in", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_WithAnInvalidInvite_SendsItAndShowsTheServersRefusal()
    {
        _cli.SetEnvironment("MP", Password);
        await _cli.OkAsync("config", "server", server.BaseUrl.ToString());

        var (exitCode, _, error) = await _cli.RunAsync("register", $"user-{Guid.NewGuid():N}@example.com", "--invite", "not-an-invitation", "--passwordenv", "MP");

        Assert.Equal(1, exitCode);
        Assert.Contains("invitation is invalid", error, StringComparison.Ordinal);
    }

    private async Task<string> LoginNewAccountAsync()
    {
        var email = $"user-{Guid.NewGuid():N}@example.com";
        _cli.SetEnvironment("MP", Password);
        await _cli.OkAsync("config", "server", server.BaseUrl.ToString());
        await _cli.OkAsync("register", email, "--name", "Test", "--passwordenv", "MP");
        await _cli.OkAsync("login", email, "--passwordenv", "MP");
        return email;
    }
}
