using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Coffer.Cli.Tests.Cli;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>
/// <c>coffer 2fa email</c>, <c>coffer 2fa keys</c> and <c>coffer login</c> with e-mailed codes and security keys,
/// against the real server with outgoing mail to a MailSink (codes read from the messages the server sent).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class TwoFactorProviderCliTests(MailServerFixture server) : IClassFixture<MailServerFixture>, IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly CliRun _cli = new();
    private readonly List<CliRun> _others = [];

    public void Dispose()
    {
        _cli.Dispose();
        foreach (var other in _others)
        {
            other.Dispose();
        }
    }

    [Fact]
    public async Task EmailEnable_MailsACode_AndLoginAsksForTheMailedCode()
    {
        var email = await _cli.LoginNewAccountAsync(server.BaseUrl, Password);
        _cli.Terminal = question => question == "Code from the e-mail: " ? MailedCode(email, m => m.Subject.StartsWith("Confirm", StringComparison.Ordinal)) : null;

        var output = await _cli.OkAsync("2fa", "email", "enable", "--passwordenv", "MP");

        Assert.Contains($"A confirmation code was sent to {email}.", output, StringComparison.Ordinal);
        Assert.Contains($"Two-step login by e-mail is on: login codes go to {email}.", output, StringComparison.Ordinal);
        Assert.Matches(@"Recovery code: [A-Z2-7]{32}\n", output);
        Assert.Equal("Two-step login: on (e-mail)\n", await _cli.OkAsync("2fa", "status"));

        var other = await NewCliAsync();
        string? asked = null;
        other.Terminal = question =>
        {
            asked = question;
            return MailedCode(email, m => m.Subject == "Your Coffer login code");
        };
        var login = await other.RunAsync("login", email, "--passwordenv", "MP");

        Assert.Equal(0, login.ExitCode);
        Assert.Equal("Code from the e-mail: ", asked);
        Assert.Contains($"A login code was sent to {email[0]}***@example.com.", login.Error, StringComparison.Ordinal);
        Assert.StartsWith($"Logged in as {email}", login.Out, StringComparison.Ordinal);
        Assert.Single(server.Sink.To(email), m => m.Subject == "Your Coffer login code");
    }

    [Fact]
    public async Task Login_WithMethod1AndAWrongCode_Fails_WithTheServersText()
    {
        var email = await AccountWithEmailAsync();

        var (exit, _, error) = await (await NewCliAsync()).RunAsync("login", email, "--passwordenv", "MP", "--method", "1", "--code", "000000");

        Assert.Equal(1, exit);
        Assert.Equal("Error: Two-step token is invalid. Try again.", error.TrimEnd());
    }

    [Fact]
    public async Task Login_WithEmailAndTotp_AtATerminal_LetsTheUserChooseEmail()
    {
        var email = await AccountWithEmailAsync();
        var secret = Totp.NewSecret();
        await _cli.OkAsync("2fa", "enable", "--secret", Base32.Encode(secret), "--code", Totp.Compute(secret, DateTimeOffset.UtcNow), "--passwordenv", "MP");
        Assert.Equal("Two-step login: on (authenticator app, e-mail)\n", await _cli.OkAsync("2fa", "status"));
        var other = await NewCliAsync();
        List<string> questions = [];
        other.Terminal = question =>
        {
            questions.Add(question);
            return question.StartsWith("Two-step login method", StringComparison.Ordinal)
                ? "1"
                : MailedCode(email, m => m.Subject == "Your Coffer login code");
        };

        var output = await other.OkAsync("login", email, "--passwordenv", "MP");

        Assert.StartsWith($"Logged in as {email}", output, StringComparison.Ordinal);
        Assert.StartsWith("Two-step login method: 0 = authenticator app, 1 = e-mail to ", questions[0], StringComparison.Ordinal);
        Assert.Equal("Code from the e-mail: ", questions[1]);
    }

    [Fact]
    public async Task EmailDisable_TurnsEmailOff_SoLoginNeedsNoCode()
    {
        var email = await AccountWithEmailAsync();

        Assert.Equal("Two-step login is off.\n", await _cli.OkAsync("2fa", "email", "disable", "--passwordenv", "MP"));

        Assert.Equal("Two-step login is already off.\n", await _cli.OkAsync("2fa", "email", "disable", "--passwordenv", "MP"));
        await (await NewCliAsync()).OkAsync("login", email, "--passwordenv", "MP");
    }

    [Fact]
    public async Task Login_WithOnlySecurityKeys_SaysTheCommandLineCannotUseThem()
    {
        var email = await _cli.LoginNewAccountAsync(server.BaseUrl, Password);
        using var key = new SoftwareAuthenticator(MailServerFixture.PublicUrl);
        await RegisterKeysAsync(email, (key, 1, "Desk key"));

        var (exit, _, error) = await (await NewCliAsync()).RunAsync("login", email, "--passwordenv", "MP");

        Assert.Equal(1, exit);
        Assert.StartsWith("Error: No providers available for this client.", error, StringComparison.Ordinal);
        Assert.Contains("security keys only", error, StringComparison.Ordinal);
        Assert.Contains("--method 8", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysList_AndRm_ShowAndRemoveTheRegisteredKeys()
    {
        var email = await _cli.LoginNewAccountAsync(server.BaseUrl, Password);
        Assert.StartsWith("No security keys.", await _cli.OkAsync("2fa", "keys", "list", "--passwordenv", "MP"), StringComparison.Ordinal);
        using var first = new SoftwareAuthenticator(MailServerFixture.PublicUrl);
        using var second = new SoftwareAuthenticator(MailServerFixture.PublicUrl);
        await RegisterKeysAsync(email, (first, 1, "Desk key"), (second, 3, "Backup key"));

        Assert.Equal("1  Desk key\n3  Backup key\n", await _cli.OkAsync("2fa", "keys", "list", "--passwordenv", "MP"));
        Assert.Equal("Two-step login: on (security keys)\n", await _cli.OkAsync("2fa", "status"));
        var json = JsonNode.Parse(await _cli.OkAsync("2fa", "keys", "list", "--json", "--passwordenv", "MP"))!.AsArray();
        Assert.Equal([1, 3], json.Select(k => (int)k!["id"]!));

        Assert.Equal("Removed security key 1 (Desk key).\n", await _cli.OkAsync("2fa", "keys", "rm", "1", "--passwordenv", "MP"));
        var (exit, _, error) = await _cli.RunAsync("2fa", "keys", "rm", "1", "--passwordenv", "MP");
        Assert.Equal(1, exit);
        Assert.StartsWith("Error: No security key in slot 1.", error, StringComparison.Ordinal);

        Assert.Equal("Removed security key 3 (Backup key).\nTwo-step login is off.\n", await _cli.OkAsync("2fa", "keys", "rm", "3", "--passwordenv", "MP"));
        await (await NewCliAsync()).OkAsync("login", email, "--passwordenv", "MP");
    }

    /// <summary>
    /// The six-digit code of the first mail to <paramref name="to"/> that matches, waited for without blocking on a
    /// task: the CLI's terminal callback is synchronous.
    /// </summary>
    private string MailedCode(string to, Func<SunkMail, bool> match)
    {
        for (var i = 0; i < 200; i++)
        {
            if (server.Sink.To(to).FirstOrDefault(match) is { } mail)
            {
                return SixDigits().Match(mail.Text).Value;
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException($"no matching mail to {to}");
    }

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();

    private async Task<string> AccountWithEmailAsync()
    {
        var email = await _cli.LoginNewAccountAsync(server.BaseUrl, Password);
        var code = "";
        _cli.Terminal = _ => code = MailedCode(email, m => m.Subject.StartsWith("Confirm", StringComparison.Ordinal));
        await _cli.OkAsync("2fa", "email", "enable", "--passwordenv", "MP");
        _cli.Terminal = null;
        Assert.Matches("^[0-9]{6}$", code);
        return email;
    }

    /// <summary>What the web vault does with a browser's authenticator: the protocol client registers software keys.</summary>
    private async Task RegisterKeysAsync(string email, params (SoftwareAuthenticator Key, int Slot, string Name)[] keys)
    {
        using var handler = new HttpClientHandler();
        using var client = new CofferApiClient(handler, server.BaseUrl, Guid.NewGuid().ToString());
        var prelogin = await client.PreloginAsync(email);
        var masterKey = MasterKeys.DeriveMasterKey(Password, email, prelogin.KdfSettings.ToConfig());
        var hash = MasterKeys.HashMasterPassword(masterKey, Password);
        var login = await client.LoginAsync(email, hash, null);
        client.AccessToken = login is LoginSucceeded ok ? ok.Token.AccessToken : throw new InvalidOperationException("the account already has two-step login");
        var token = (await client.GetSecurityKeysAsync(hash)).UserVerificationToken!;
        foreach (var (key, slot, name) in keys)
        {
            var challenge = await client.GetSecurityKeyChallengeAsync(token);
            await client.RegisterSecurityKeyAsync(new TwoFactorWebAuthnRequestModel { Id = slot, Name = name, UserVerificationToken = token, DeviceResponse = key.Register(challenge.Options) });
        }
    }

    private async Task<CliRun> NewCliAsync()
    {
        var cli = new CliRun();
        cli.SetEnvironment("MP", Password);
        _others.Add(cli);
        await cli.OkAsync("config", "server", server.BaseUrl.ToString());
        return cli;
    }
}
