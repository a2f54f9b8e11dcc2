using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Cli.Storage;
using Coffer.Cli.Tests.Cli;
using Coffer.Client.Crypto;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>
/// <c>coffer unlock</c>, COFFER_SESSION, <c>lock</c>, <c>status</c>, exit codes and completion, against the real
/// server. Each test registers its own account.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SessionCliTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private const string Password = "correct horse battery staple";
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);
    private readonly CliRun _cli = new();
    private int _passwordPrompts;

    public void Dispose() => _cli.Dispose();

    private string SessionPath => Path.Combine(_cli.ConfigDir, StateFiles.Session);

    [Fact]
    public async Task Unlock_ThenTenCommands_NeverAskForThePassword()
    {
        await LoginNewAccountAsync();
        var key = (await _cli.OkAsync("unlock", "--raw", "--passwordenv", "MP")).Trim();
        _cli.SetEnvironment(SessionKey.EnvironmentVariable, key);
        CountPasswordPrompts();

        var outputs = new List<string>
        {
            await _cli.OkAsync("folder", "add", "Work"),
            await _cli.OkAsync("add", "login", "--name", "GitHub", "--username", "alice", "--password", "s3cret!", "--folder", "Work"),
            await _cli.OkAsync("add", "note", "--name", "Note", "--notes", "hello"),
            await _cli.OkAsync("list"),
            await _cli.OkAsync("list", "--json", "--folder", "Work"),
            await _cli.OkAsync("get", "password", "GitHub"),
            await _cli.OkAsync("edit", "GitHub", "--username", "bob"),
            await _cli.OkAsync("get", "item", "GitHub"),
            await _cli.OkAsync("rm", "Note"),
            await _cli.OkAsync("restore", "Note"),
            await _cli.OkAsync("folder", "list"),
            await _cli.OkAsync("sync"),
            await _cli.OkAsync("status"),
        };

        Assert.Equal(0, _passwordPrompts);
        Assert.DoesNotContain(outputs, o => o.Contains("password:", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("s3cret!\n", outputs[5]);
        Assert.Equal("bob", JsonDocument.Parse(outputs[7]).RootElement.GetProperty("login").GetProperty("username").GetString());
        Assert.Contains("\tNote\t", await _cli.OkAsync("list"), StringComparison.Ordinal);
        Assert.EndsWith("Status: unlocked\n", outputs[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionKey_InAProcessWithClosedStdinAndNoTerminal_ReadsTheVault()
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("add", "login", "--name", "Bank", "--password", "pin-1234", "--passwordenv", "MP");
        var key = (await _cli.OkAsync("unlock", "--raw", "--passwordenv", "MP")).Trim();

        var (code, output, error) = await RunProcessAsync(key, "get", "password", "Bank");

        Assert.True(code == 0, error);
        Assert.Equal("pin-1234\n", output);
        Assert.DoesNotContain("password", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Lock_ThenTheSameCommand_IsRefusedAsLocked_WithoutAPrompt()
    {
        await LoginNewAccountAsync();
        _cli.SetEnvironment(SessionKey.EnvironmentVariable, (await _cli.OkAsync("unlock", "--raw", "--passwordenv", "MP")).Trim());
        await _cli.OkAsync("list");
        CountPasswordPrompts();

        Assert.Equal("", await _cli.OkAsync("lock", "--quiet"));
        var (code, output, error) = await _cli.RunAsync("list");

        Assert.Equal(ExitCodes.Locked, code);
        Assert.Equal("", output);
        Assert.Contains("Run `coffer unlock`", error, StringComparison.Ordinal);
        Assert.Equal(0, _passwordPrompts);
    }

    [Fact]
    public async Task WrongSessionKeys_AreRefusedAsLocked()
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("unlock", "--passwordenv", "MP");

        foreach (var wrong in new[] { "not-a-key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) })
        {
            _cli.SetEnvironment(SessionKey.EnvironmentVariable, wrong);
            var (code, output, error) = await _cli.RunAsync("list");
            Assert.Equal(ExitCodes.Locked, code);
            Assert.Equal("", output);
            Assert.StartsWith("Error: COFFER_SESSION ", error, StringComparison.Ordinal);
            Assert.Contains("`coffer unlock`", error, StringComparison.Ordinal);
        }

        var (flagCode, _, _) = await _cli.RunAsync("list", "--session", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(ExitCodes.Locked, flagCode);
    }

    [Fact]
    public async Task SessionKey_GoesStaleAfterANewUnlock_AndAfterLogoutAndLogin()
    {
        var email = await LoginNewAccountAsync();
        var first = (await _cli.OkAsync("unlock", "--raw", "--passwordenv", "MP")).Trim();
        var second = (await _cli.OkAsync("unlock", "--raw", "--passwordenv", "MP")).Trim();

        Assert.NotEqual(first, second);
        Assert.Equal(ExitCodes.Locked, (await _cli.RunAsync("list", "--session", first)).ExitCode);
        await _cli.OkAsync("list", "--session", second);

        await _cli.OkAsync("logout");
        Assert.Equal(ExitCodes.NotLoggedIn, (await _cli.RunAsync("list", "--session", second)).ExitCode);
        var third = (await _cli.OkAsync("login", email, "--raw", "--passwordenv", "MP")).Trim();
        Assert.Equal(ExitCodes.Locked, (await _cli.RunAsync("list", "--session", second)).ExitCode);
        await _cli.OkAsync("list", "--session", third);
    }

    [Fact]
    public async Task ChangingTheMasterPassword_EndsTheSession_SoTheKeyOpensNothing()
    {
        await LoginNewAccountAsync();
        var key = (await _cli.OkAsync("unlock", "--raw", "--passwordenv", "MP")).Trim();
        _cli.SetEnvironment("NEW", "another long master password");

        await _cli.OkAsync("account", "password", "--passwordenv", "MP", "--new-passwordenv", "NEW");

        var (code, _, error) = await _cli.RunAsync("list", "--session", key);
        Assert.Equal(ExitCodes.NotLoggedIn, code);
        Assert.Contains("coffer login EMAIL", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionFile_WithoutTheKey_DecryptsNothing()
    {
        var email = await LoginNewAccountAsync();
        var key = (await _cli.OkAsync("unlock", "--raw", "--passwordenv", "MP")).Trim();
        var text = await File.ReadAllTextAsync(SessionPath);
        var session = JsonSerializer.Deserialize<SessionState>(text, WebJson)!;
        using var userKey = UserKeys.Unlock(session.ProtectedUserKey, Password, email, session.Kdf.ToConfig());
        var raw = userKey.ToArray();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SessionPath));
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(raw), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(raw), text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, session.Unlocked!.Version);
        Assert.Equal(64, Convert.FromBase64String(session.Unlocked.Ciphertext).Length);
        Assert.NotEqual(raw, Convert.FromBase64String(session.Unlocked.Ciphertext));

        var wrong = Assert.Throws<CliException>(() => SessionKey.Open(session.Unlocked, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), email));
        Assert.Equal(ExitCodes.Locked, wrong.ExitCode);
        Assert.IsType<AuthenticationTagMismatchException>(wrong.InnerException);
        Assert.Throws<CliException>(() => SessionKey.Open(session.Unlocked, key, "someone-else@example.com"));
        using var opened = SessionKey.Open(session.Unlocked, key, email);
        Assert.Equal(raw, opened.ToArray());
    }

    [Fact]
    public async Task Unlock_PrintsAnExportLine_AndRawOnlyTheKey_AndLoginRawTheSame()
    {
        var email = await LoginNewAccountAsync();

        var (code, output, error) = await _cli.RunAsync("unlock", "--passwordenv", "MP");
        var raw = await _cli.OkAsync("unlock", "--raw", "--passwordenv", "MP");
        var quiet = await _cli.RunAsync("unlock", "--quiet", "--passwordenv", "MP");
        var login = await _cli.OkAsync("login", email, "--raw", "--passwordenv", "MP");

        Assert.Equal(0, code);
        Assert.Matches("^export COFFER_SESSION=\"[A-Za-z0-9+/]{43}=\"\n$", output);
        Assert.Contains("COFFER_SESSION", error, StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z0-9+/]{43}=\n$", raw);
        Assert.Matches("^export COFFER_SESSION=\"[A-Za-z0-9+/]{43}=\"\n$", quiet.Out);
        Assert.Equal("", quiet.Error);
        Assert.Matches("^[A-Za-z0-9+/]{43}=\n$", login);
        await _cli.OkAsync("list", "--session", login.Trim());
    }

    [Fact]
    public async Task Unlock_WithAWrongPassword_Exits1_AndLeavesTheSessionLocked()
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("lock");
        _cli.SetEnvironment("WRONG", "not the password");

        var (code, _, error) = await _cli.RunAsync("unlock", "--passwordenv", "WRONG");

        Assert.Equal(ExitCodes.Error, code);
        Assert.Equal("Error: Invalid master password.", error.TrimEnd());
        Assert.Contains("\"status\": \"locked\"", await _cli.OkAsync("status", "--json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusJson_IsValidJsonInEachState_AndNeverPrompts()
    {
        CountPasswordPrompts();
        var states = new List<JsonElement> { JsonDocument.Parse(await _cli.OkAsync("status", "--json")).RootElement };
        var email = await LoginNewAccountAsync();
        var key = (await _cli.OkAsync("unlock", "--raw", "--passwordenv", "MP")).Trim();
        states.Add(JsonDocument.Parse(await _cli.OkAsync("status", "--json")).RootElement);
        states.Add(JsonDocument.Parse(await _cli.OkAsync("status", "--json", "--session", key)).RootElement);
        states.Add(JsonDocument.Parse(await _cli.OkAsync("status", "--json", "--session", "stale")).RootElement);

        Assert.Equal(["unauthenticated", "locked", "unlocked", "locked"], states.Select(s => s.GetProperty("status").GetString()));
        Assert.All(states, s => Assert.Equal(
            ["serverUrl", "lastSync", "userEmail", "userId", "status"], s.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(JsonValueKind.Null, states[0].GetProperty("userEmail").ValueKind);
        Assert.Equal(email, states[2].GetProperty("userEmail").GetString());
        Assert.Equal(server.BaseUrl.ToString().TrimEnd('/'), states[2].GetProperty("serverUrl").GetString());
        Assert.True(states[2].GetProperty("userId").TryGetGuid(out _));
        Assert.True(states[2].GetProperty("lastSync").TryGetDateTimeOffset(out _));
        Assert.Equal(0, _passwordPrompts);
    }

    [Fact]
    public async Task ExitCode0_OnSuccess()
    {
        await LoginNewAccountAsync();

        Assert.Equal(ExitCodes.Ok, (await _cli.RunAsync("list", "--passwordenv", "MP")).ExitCode);
    }

    [Fact]
    public async Task ExitCode2_OnAConflictingOrUnknownOption()
    {
        Assert.Equal(ExitCodes.Usage, (await _cli.RunAsync("unlock", "--no-such-option")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await _cli.RunAsync("completion", "tcsh")).ExitCode);
    }

    [Fact]
    public async Task ExitCode3_WhenNotLoggedIn_SaysToLogIn()
    {
        var (code, _, error) = await _cli.RunAsync("unlock", "--passwordenv", "MP");

        Assert.Equal(ExitCodes.NotLoggedIn, code);
        Assert.Equal("Error: You are not logged in. Run `coffer login EMAIL`.", error.TrimEnd());
    }

    [Fact]
    public async Task ExitCode4_WhenLockedAndNoWayToAskForThePassword()
    {
        await LoginNewAccountAsync();

        var (code, _, error) = await _cli.RunAsync("get", "password", "anything");

        Assert.Equal(ExitCodes.Locked, code);
        Assert.Contains("coffer unlock", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExitCode5_WhenNoItemOrFolderMatches_SaysHowToList()
    {
        await LoginNewAccountAsync();

        var item = await _cli.RunAsync("get", "password", "No such item", "--passwordenv", "MP");
        var folder = await _cli.RunAsync("list", "--folder", "No such folder", "--passwordenv", "MP");

        Assert.Equal(ExitCodes.NotFound, item.ExitCode);
        Assert.Contains("Run `coffer list`", item.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, folder.ExitCode);
        Assert.Contains("Run `coffer folder list`", folder.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _coffer_complete coffer")]
    [InlineData("zsh", "compdef _coffer_complete coffer")]
    [InlineData("fish", "complete -c coffer")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName coffer")]
    public async Task Completion_PrintsAScriptForEachShell_ThatCallsTheSuggestDirective(string shell, string registration)
    {
        var script = await _cli.OkAsync("completion", shell);

        Assert.Contains(registration, script, StringComparison.Ordinal);
        Assert.Contains("[suggest:", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuggestDirective_CompletesVerbsAndOptions()
    {
        var verbs = (await _cli.OkAsync("[suggest:10]", "coffer unl")).Split('\n');
        var options = (await _cli.OkAsync("[suggest:18]", "coffer status --js")).Split('\n');

        Assert.Contains("unlock", verbs);
        Assert.Contains("--json", options);
    }

    [Fact]
    public async Task WithoutATerminal_NoProgressOrColourReachesStderr()
    {
        await LoginNewAccountAsync();
        _cli.SetEnvironment(SessionKey.EnvironmentVariable, (await _cli.OkAsync("unlock", "--raw", "--passwordenv", "MP")).Trim());

        var (code, output, error) = await _cli.RunAsync("sync");
        var quiet = await _cli.RunAsync("sync", "--quiet");

        Assert.Equal(0, code);
        Assert.StartsWith("Synced ", output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', output + error);
        Assert.Equal(("", ""), (quiet.Out, quiet.Error));
    }

    private void CountPasswordPrompts() => _cli.SecretTerminal = () =>
    {
        _passwordPrompts++;
        return Password;
    };

    private async Task<(int Code, string Out, string Error)> RunProcessAsync(string sessionKey, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(CofferCli).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COFFER_CONFIG_DIR"] = _cli.ConfigDir;
        start.Environment[SessionKey.EnvironmentVariable] = sessionKey;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    private Task<string> LoginNewAccountAsync() => _cli.LoginNewAccountAsync(server.BaseUrl, Password);
}
