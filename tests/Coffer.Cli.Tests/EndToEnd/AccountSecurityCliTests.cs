using System.Text.Json;
using Coffer.Cli.Storage;
using Coffer.Cli.Tests.Cli;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary><c>coffer account …</c> and <c>coffer devices …</c> against the real server over HTTP.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AccountSecurityCliTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private const string Password = "correct horse battery staple";
    private const string NewPassword = "a different, longer passphrase";
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task AccountPassword_OnlyTheNewPasswordLogsIn_AndTheItemsStayReadable()
    {
        var email = await LoginNewAccountAsync();
        await _cli.OkAsync("add", "login", "--name", "Bank", "--password", "p4ss", "--passwordenv", "MP");
        var keyBefore = Session().ProtectedUserKey;

        var output = await _cli.OkAsync("account", "password", "--passwordenv", "MP", "--new-passwordenv", "MP2");

        Assert.Contains("log in again", output, StringComparison.Ordinal);
        Assert.False(File.Exists(SessionPath));
        var (code, _, _) = await _cli.RunAsync("login", email, "--passwordenv", "MP");
        Assert.Equal(1, code);
        await _cli.OkAsync("login", email, "--passwordenv", "MP2");
        Assert.Equal("p4ss\n", await _cli.OkAsync("get", "password", "Bank", "--passwordenv", "MP2"));
        Assert.NotEqual(keyBefore, Session().ProtectedUserKey);
        using var sameKey = UserKeys.Unlock(Session().ProtectedUserKey, NewPassword, email, Session().Kdf.ToConfig());
        Assert.Equal(Session().Sync!.UserDecryption.UserKeyId, sameKey.KeyId);
    }

    [Fact]
    public async Task AccountPassword_WithTheWrongCurrentPassword_FailsLocally_AndKeepsTheSession()
    {
        var email = await LoginNewAccountAsync();
        _cli.SetEnvironment("WRONG", "not it");

        var (code, _, error) = await _cli.RunAsync("account", "password", "--passwordenv", "WRONG", "--new-passwordenv", "MP2");

        Assert.Equal(1, code);
        Assert.Equal("Error: Invalid master password.", error.TrimEnd());
        await _cli.OkAsync("sync");
        await _cli.OkAsync("login", email, "--passwordenv", "MP");
    }

    [Fact]
    public async Task AccountRotateKey_ReEncryptsEverything_AndAfterLoginTheSamePlaintextShows()
    {
        var email = await LoginNewAccountAsync();
        await _cli.OkAsync("folder", "add", "Work", "--passwordenv", "MP");
        await _cli.OkAsync("add", "login", "--name", "Jira", "--username", "alice", "--password", "s3cret!", "--uri", "https://jira.example", "--folder", "Work", "--passwordenv", "MP");
        await _cli.OkAsync("add", "note", "--name", "Recovery codes", "--notes", "1111 2222", "--passwordenv", "MP");
        var listBefore = await _cli.OkAsync("list", "--passwordenv", "MP");
        var before = Session();

        var output = await _cli.OkAsync("account", "rotate-key", "--passwordenv", "MP");

        Assert.Contains("2 items re-encrypted", output, StringComparison.Ordinal);
        Assert.False(File.Exists(SessionPath));
        await _cli.OkAsync("login", email, "--passwordenv", "MP");
        var after = Session();
        Assert.Equal(listBefore, await _cli.OkAsync("list", "--passwordenv", "MP"));
        Assert.Equal("s3cret!\n", await _cli.OkAsync("get", "password", "Jira", "--passwordenv", "MP"));
        Assert.Equal("1111 2222\n", await _cli.OkAsync("get", "notes", "Recovery codes", "--passwordenv", "MP"));
        Assert.EndsWith("\tWork\n", await _cli.OkAsync("folder", "list", "--passwordenv", "MP"), StringComparison.Ordinal);

        using var oldKey = UserKeys.Unlock(before.ProtectedUserKey, Password, email, before.Kdf.ToConfig());
        using var newKey = UserKeys.Unlock(after.ProtectedUserKey, Password, email, after.Kdf.ToConfig());
        Assert.NotEqual(oldKey.KeyId, newKey.KeyId);
        Assert.Equal(newKey.KeyId, after.Sync!.UserDecryption.UserKeyId);
        Assert.Equal(before.Sync!.Profile.AccountKeys.PublicKeyEncryptionKeyPair.PublicKey, after.Sync.Profile.AccountKeys.PublicKeyEncryptionKeyPair.PublicKey);
        foreach (var cipher in after.Sync.Ciphers)
        {
            // Nothing is left under the old key: every name now fails to decrypt with it.
            Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => EncString.Parse(cipher.Name!).Decrypt(oldKey));
        }

        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => EncString.Parse(after.Sync.Folders[0].Name).Decrypt(oldKey));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => EncString.Parse(after.Sync.Profile.PrivateKey).Decrypt(oldKey));
        using var rsa = AccountKeyPair.DecryptPrivateKey(EncString.Parse(after.Sync.Profile.PrivateKey), newKey);
        Assert.Equal(after.Sync.Profile.AccountKeys.PublicKeyEncryptionKeyPair.PublicKey, Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()));
    }

    [Fact]
    public async Task AccountKdf_RaisesPbkdf2Iterations_AndTheSamePasswordStillLogsIn()
    {
        var email = await LoginNewAccountAsync();
        await _cli.OkAsync("add", "note", "--name", "N", "--notes", "kept", "--passwordenv", "MP");

        await _cli.OkAsync("account", "kdf", "--pbkdf2", "700000", "--passwordenv", "MP");

        await _cli.OkAsync("login", email, "--passwordenv", "MP");
        Assert.Equal(700_000, Session().Kdf.Iterations);
        Assert.Equal("kept\n", await _cli.OkAsync("get", "notes", "N", "--passwordenv", "MP"));
    }

    [Theory]
    [InlineData("--pbkdf2", "100000")]
    [InlineData("--argon2id", "--iterations", "1", "--memory", "64", "--parallelism", "4")]
    [InlineData("--pbkdf2", "700000", "--argon2id")]
    public async Task AccountKdf_WithBadSettings_FailsBeforeAskingTheServer(params string[] settings)
    {
        await LoginNewAccountAsync();

        var (code, _, error) = await _cli.RunAsync(["account", "kdf", .. settings, "--passwordenv", "MP"]);

        Assert.Equal(1, code);
        Assert.StartsWith("Error: ", error, StringComparison.Ordinal);
        await _cli.OkAsync("sync");
    }

    [Fact]
    public async Task AccountEmail_MovesTheAccount_AndTheNewAddressLogsIn()
    {
        await LoginNewAccountAsync();
        await _cli.OkAsync("add", "note", "--name", "N", "--notes", "moved", "--passwordenv", "MP");
        var newEmail = $"moved-{Guid.NewGuid():N}@example.com";

        await _cli.OkAsync("account", "email", newEmail, "--passwordenv", "MP");

        await _cli.OkAsync("login", newEmail, "--passwordenv", "MP");
        Assert.Equal(newEmail, Session().Email);
        Assert.Equal("moved\n", await _cli.OkAsync("get", "notes", "N", "--passwordenv", "MP"));
    }

    [Fact]
    public async Task AccountDeauthorize_EndsTheSession_AndLoginStillWorks()
    {
        var email = await LoginNewAccountAsync();
        var copy = await File.ReadAllTextAsync(SessionPath);

        await _cli.OkAsync("account", "deauthorize", "--passwordenv", "MP");

        await File.WriteAllTextAsync(SessionPath, copy);
        var (code, _, error) = await _cli.RunAsync("sync");
        Assert.Equal(1, code);
        Assert.StartsWith("Error: ", error, StringComparison.Ordinal);
        await _cli.OkAsync("login", email, "--passwordenv", "MP");
    }

    [Fact]
    public async Task AccountDelete_NeedsYesWithoutATerminal_ThenDeletesTheAccount()
    {
        var email = await LoginNewAccountAsync();

        var (code, _, error) = await _cli.RunAsync("account", "delete", "--passwordenv", "MP");
        Assert.Equal(1, code);
        Assert.Contains("--yes", error, StringComparison.Ordinal);
        await _cli.OkAsync("sync");

        await _cli.OkAsync("account", "delete", "--yes", "--passwordenv", "MP");

        (code, _, _) = await _cli.RunAsync("login", email, "--passwordenv", "MP");
        Assert.Equal(1, code);
    }

    [Fact]
    public async Task Devices_ListMarksThisDevice_AndRevokingItEndsTheSession()
    {
        await LoginNewAccountAsync();

        var line = Assert.Single((await _cli.OkAsync("devices", "list")).TrimEnd().Split('\n'));
        Assert.EndsWith("\t*", line, StringComparison.Ordinal);
        var devices = JsonDocument.Parse(await _cli.OkAsync("devices", "list", "--json")).RootElement;
        Assert.Equal(25, devices[0].GetProperty("type").GetInt32());
        var id = line.Split('\t')[0];

        Assert.Contains("session has ended", await _cli.OkAsync("devices", "revoke", id), StringComparison.Ordinal);
        Assert.False(File.Exists(SessionPath));
    }

    [Fact]
    public async Task DevicesRevoke_OfAnUnknownDevice_Fails()
    {
        await LoginNewAccountAsync();

        var (code, _, error) = await _cli.RunAsync("devices", "revoke", Guid.NewGuid().ToString());

        Assert.Equal(1, code);
        Assert.StartsWith("Error: ", error, StringComparison.Ordinal);
        await _cli.OkAsync("sync");
    }

    private string SessionPath => Path.Combine(_cli.ConfigDir, StateFiles.Session);

    private SessionState Session() => JsonSerializer.Deserialize<SessionState>(File.ReadAllText(SessionPath), WebJson)!;

    private async Task<string> LoginNewAccountAsync()
    {
        var email = $"user-{Guid.NewGuid():N}@example.com";
        _cli.SetEnvironment("MP", Password);
        _cli.SetEnvironment("MP2", NewPassword);
        await _cli.OkAsync("config", "server", server.BaseUrl.ToString());
        await _cli.OkAsync("register", email, "--name", "Test", "--passwordenv", "MP");
        await _cli.OkAsync("login", email, "--passwordenv", "MP");
        return email;
    }
}
