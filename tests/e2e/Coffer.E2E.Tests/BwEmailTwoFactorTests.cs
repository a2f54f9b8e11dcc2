using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Api;

namespace Coffer.E2E.Tests;

/// <summary>
/// The official CLI against an account with two-step login by e-mail (provider 1): the first `bw login` stops at the
/// challenge, which mails a code to the account's address; `--method 1 --code` with the code read from the real SMTP
/// server's mailbox (<see cref="MailSink"/>) logs in and unlocks; a wrong code gets the server's text.
/// </summary>
public sealed class BwEmailTwoFactorTests(MailE2EFixture fixture) : IClassFixture<MailE2EFixture>
{
    [Fact]
    public async Task BwLogin_WithEmailCodesOn_MailsTheCode_ThenLogsInWithMethod1()
    {
        var account = TestAccount.CreateUnique();
        using (var session = await ApiSession.RegisterAndLoginAsync(fixture.Certificates, fixture.Server.BaseAddress, account))
        {
            var kdf = (await session.Client.PreloginAsync(account.Email)).KdfSettings.ToConfig();
            var setup = await session.Client.GetTwoFactorEmailAsync(ApiSession.PasswordHash(account, kdf));
            var email = AccountEmail.Normalize(account.Email);
            await session.Client.SendTwoFactorEmailSetupCodeAsync(email, setup.UserVerificationToken!);
            var setupCode = MailedCode(await fixture.Sink.WaitForAsync(email));
            await session.Client.EnableTwoFactorEmailAsync(email, setupCode, setup.UserVerificationToken!);
            fixture.Sink.Clear();
        }

        var bw = new BwClient(fixture, fixture.NewFolder("bw"), account);
        await bw.OkAsync("bw config server", "config", "server", fixture.Server.Url);
        var withoutCode = await bw.FailsAsync("bw login (no code)", "login", account.Email, "--passwordenv", BwClient.PasswordVariable, "--raw");
        var mail = await fixture.Sink.WaitForAsync(AccountEmail.Normalize(account.Email));
        var code = MailedCode(mail);
        var wrongCode = await bw.FailsAsync(
            "bw login (wrong code)", "login", account.Email, "--passwordenv", BwClient.PasswordVariable, "--method", "1", "--code", code == "000000" ? "111111" : "000000", "--raw");

        await bw.LoginAsync(fixture.Server.Url, "--method", "1", "--code", code);
        var status = await bw.JsonAsync("bw status (after the e-mailed code)", "status");

        Assert.Contains("Code is required.", withoutCode.StdOut + withoutCode.StdErr, StringComparison.Ordinal);
        Assert.Contains("Two-step token is invalid", wrongCode.StdOut + wrongCode.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(account.Password, mail.Text + mail.Html, StringComparison.Ordinal);
        Assert.Equal("unlocked", status.Text("status"));
        Assert.Equal(account.Email, status.Text("userEmail"));
    }

    /// <summary>The six-digit code of a two-step login mail (the only secret such a mail carries).</summary>
    private static string MailedCode(SunkMail mail) =>
        System.Text.RegularExpressions.Regex.Match(mail.Text, @"\b(\d{6})\b") is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"No code in the mail '{mail.Subject}': {mail.Text}");
}

/// <summary>One throwaway CA, one real SMTP server (<see cref="MailSink"/>) and one coffer-server process that mails through it.</summary>
public sealed class MailE2EFixture : IAsyncLifetime, IServerHost
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("coffer-e2e-mail-");
    private TestCertificates? certificates;
    private MailSink? sink;
    private ServerProcess? server;
    private int folders;

    public TestCertificates Certificates => certificates ?? throw new InvalidOperationException("Fixture not initialised.");

    public ServerProcess Server => server ?? throw new InvalidOperationException("Fixture not initialised.");

    public MailSink Sink => sink ?? throw new InvalidOperationException("Fixture not initialised.");

    public async Task InitializeAsync()
    {
        _ = RepoPaths.BwScript;
        certificates = TestCertificates.Create(NewFolder("tls"));
        sink = await MailSink.StartAsync();
        server = await ServerProcess.StartAsync(certificates, NewFolder("server-data"), sink.Environment);
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        if (sink is not null)
        {
            await sink.DisposeAsync();
        }

        certificates?.Dispose();
        root.Delete(recursive: true);
    }

    /// <summary>A new empty folder under the fixture's temporary root.</summary>
    public string NewFolder(string kind) =>
        Directory.CreateDirectory(Path.Combine(root.FullName, $"{kind}-{Interlocked.Increment(ref folders)}")).FullName;

    public string ServerLogTail() => server?.Log is { } log && log.Length > 6000 ? "…" + log[^6000..] : server?.Log ?? "(server not started)";
}
