using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>
/// Account-wide changes made with `coffer account …` against what the official CLI needs afterwards: the old
/// sessions end (the security stamp changes, protocol §1.4), and a new `bw login` derives the same keys from the
/// new settings and decrypts the re-encrypted vault.
/// </summary>
public sealed class AccountSecurityInteropTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    private const string NewPasswordVariable = "COFFER_E2E_NEW_PASSWORD";

    [Fact]
    public async Task CofferArgon2KdfKeyRotationAndPasswordChange_EndBwSessions_AndBwLogsInAgainToTheSameVault()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.RegisterAndLoginBwAsync(account);
        var item = await bw.JsonAsync("bw create item", "create", "item", BwClient.Encode(
            BwJson.LoginItem("Payroll", "grace", "p4yroll-Pa55", "https://payroll.example", "kept across rotation", folderId: null)));
        var coffer = fixture.NewCoffer(account);
        await coffer.LoginAsync(fixture.Server.Url);

        // Argon2id with the 2026.9.0 client's defaults (protocol §7.3), so bw must match coffer's Argon2id.
        await coffer.OkAsync("coffer account kdf --argon2id", "account", "kdf", "--argon2id", "--iterations", "6", "--memory", "32", "--parallelism", "4");
        await bw.FailsAsync("bw sync --force (session ended by the KDF change)", "sync", "--force");
        await coffer.LoginAsync(fixture.Server.Url);
        await coffer.OkAsync("coffer account rotate-key", "account", "rotate-key");
        await coffer.LoginAsync(fixture.Server.Url);
        var renewed = account with { Password = account.Password + "-renewed" };
        coffer.ExtraEnvironment[NewPasswordVariable] = renewed.Password;
        await coffer.OkAsync("coffer account password", "account", "password", "--new-passwordenv", NewPasswordVariable);

        var withOldPassword = fixture.NewBw(account);
        await withOldPassword.OkAsync("bw config server (old password)", "config", "server", fixture.Server.Url);
        await withOldPassword.FailsAsync("bw login (old password)", "login", account.Email, "--passwordenv", BwClient.PasswordVariable, "--raw");
        var fresh = fixture.NewBw(renewed);
        await fresh.LoginAsync(fixture.Server.Url);
        var reread = await fresh.JsonAsync("bw get item (after rotation)", "get", "item", item.Id());
        var password = await fresh.OkAsync("bw get password (after rotation)", "get", "password", "Payroll");

        Assert.Equal("Payroll", reread.Text("name"));
        Assert.Equal("grace", reread.Text("login", "username"));
        Assert.Equal("kept across rotation", reread.Text("notes"));
        Assert.Equal("https://payroll.example", reread.FirstUri());
        Assert.Equal("p4yroll-Pa55", password);
    }
}
