using System.Text.RegularExpressions;
using Coffer.Cli.Tests.Cli;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>
/// <c>coffer 2fa</c> and two-step <c>coffer login</c> against the real server over HTTP, on real time. A code that
/// turned TOTP on is spent, so logins use the next step's code, which the server's ±1 step window accepts.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class TwoFactorCliTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
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
    public async Task Enable_ShowsUriAndQrCode_AsksForTheCode_AndPrintsARecoveryCode()
    {
        var email = await LoginNewAccountAsync();
        string? prompted = null;
        _cli.Terminal = question =>
        {
            // A person reads the key off the screen into the app and types the app's code.
            prompted = question;
            var key = KeyLine().Match(_cli.OutputSoFar).Groups[1].Value;
            return Totp.Compute(Base32.Decode(key), DateTimeOffset.UtcNow);
        };

        var output = await _cli.OkAsync("2fa", "enable", "--passwordenv", "MP");

        var key = KeyLine().Match(output).Groups[1].Value;
        Assert.Matches("^[A-Z2-7]{32}$", key);
        Assert.Contains($"otpauth://totp/Coffer:{Uri.EscapeDataString(email)}?secret={key}&issuer=Coffer\n", output, StringComparison.Ordinal);
        Assert.Contains("█", output, StringComparison.Ordinal);
        Assert.Equal("Code from the app: ", prompted);
        Assert.Matches(@"Recovery code: [A-Z2-7]{32}\n", output);
        Assert.Equal("Two-step login: on (authenticator app)\n", await _cli.OkAsync("2fa", "status"));
    }

    [Fact]
    public async Task Login_WithTotpOn_AndNoCodeOrTerminal_FailsWithCodeIsRequired_ThenTakesCode()
    {
        var email = await LoginNewAccountAsync();
        var secret = await EnableWithSecretAsync();

        var (exit, _, error) = await (await NewCliAsync()).RunAsync("login", email, "--passwordenv", "MP");
        Assert.Equal(ExitCodes.TwoFactorRequired, exit);
        Assert.StartsWith("Error: Code is required.", error, StringComparison.Ordinal);

        var output = await (await NewCliAsync()).OkAsync("login", email, "--passwordenv", "MP", "--code", NextCode(secret));
        Assert.StartsWith($"Logged in as {email}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_WithTotpOn_AtATerminal_PromptsForTheCode()
    {
        var email = await LoginNewAccountAsync();
        var secret = await EnableWithSecretAsync();
        var prompted = await NewCliAsync();
        string? question = null;
        prompted.Terminal = q =>
        {
            question = q;
            return NextCode(secret);
        };

        var output = await prompted.OkAsync("login", email, "--passwordenv", "MP");

        Assert.Equal("Two-step login code: ", question);
        Assert.StartsWith($"Logged in as {email}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_WithMethod0AndCode_SendsTheCodeUpFront_AndAWrongCodeFails()
    {
        var email = await LoginNewAccountAsync();
        var secret = await EnableWithSecretAsync();

        var (exit, _, error) = await (await NewCliAsync()).RunAsync("login", email, "--passwordenv", "MP", "--method", "0", "--code", "000000");
        Assert.Equal(1, exit);
        Assert.Equal("Error: Two-step token is invalid. Try again.", error.TrimEnd());

        await (await NewCliAsync()).OkAsync("login", email, "--passwordenv", "MP", "--method", "0", "--code", NextCode(secret));
    }

    [Fact]
    public async Task Login_WithMethod8AndTheRecoveryCode_TurnsTwoFactorOff()
    {
        var email = await LoginNewAccountAsync();
        await EnableWithSecretAsync();
        var recovery = (await _cli.OkAsync("2fa", "recovery-code", "--passwordenv", "MP")).Trim();

        await (await NewCliAsync()).OkAsync("login", email, "--passwordenv", "MP", "--method", "8", "--code", recovery.ToLowerInvariant());

        Assert.Equal("Two-step login: off\n", await _cli.OkAsync("2fa", "status"));
        await (await NewCliAsync()).OkAsync("login", email, "--passwordenv", "MP");
    }

    [Fact]
    public async Task Disable_TurnsTwoFactorOff_SoLoginNeedsNoCode()
    {
        var email = await LoginNewAccountAsync();
        await EnableWithSecretAsync();

        Assert.Equal("Two-step login is off.\n", await _cli.OkAsync("2fa", "disable", "--passwordenv", "MP"));

        Assert.Equal("Two-step login: off\n", await _cli.OkAsync("2fa", "status"));
        Assert.Equal("Two-step login is already off.\n", await _cli.OkAsync("2fa", "disable", "--passwordenv", "MP"));
        await (await NewCliAsync()).OkAsync("login", email, "--passwordenv", "MP");
    }

    [Theory]
    [InlineData("JBSWY3DPEHPK3PXP")] // 10 bytes
    [InlineData("NOT BASE32 0189")]
    public async Task Enable_WithABadSecret_FailsBeforeAskingTheServer(string secret)
    {
        await LoginNewAccountAsync();

        var (exit, _, error) = await _cli.RunAsync("2fa", "enable", "--secret", secret, "--code", "123456", "--passwordenv", "MP");

        Assert.Equal(1, exit);
        Assert.StartsWith("Error: --secret must be Base32", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enable_WithAWrongCode_Fails_AndLeavesTwoFactorOff()
    {
        await LoginNewAccountAsync();
        var secret = Totp.NewSecret();
        var wrong = Totp.Compute(secret, DateTimeOffset.UtcNow.AddHours(1));

        var (exit, _, error) = await _cli.RunAsync("2fa", "enable", "--secret", Base32.Encode(secret), "--code", wrong, "--passwordenv", "MP");

        Assert.Equal(1, exit);
        Assert.Equal("Error: Invalid token.", error.TrimEnd());
        Assert.Equal("Two-step login: off\n", await _cli.OkAsync("2fa", "status"));
    }

    [Fact]
    public async Task Enable_WithTheWrongMasterPassword_Fails()
    {
        await LoginNewAccountAsync();
        _cli.SetEnvironment("WRONG", "not the password");

        var (exit, _, error) = await _cli.RunAsync("2fa", "enable", "--passwordenv", "WRONG");

        Assert.Equal(1, exit);
        Assert.Equal("Error: User verification failed.", error.TrimEnd());
    }

    [Fact]
    public async Task Enable_WithoutACodeOrTerminal_Fails_AndLeavesTwoFactorOff()
    {
        await LoginNewAccountAsync();

        var (exit, output, error) = await _cli.RunAsync("2fa", "enable", "--passwordenv", "MP");

        Assert.Equal(1, exit);
        Assert.Contains("otpauth://totp/Coffer:", output, StringComparison.Ordinal);
        Assert.StartsWith("Error: Code is required", error, StringComparison.Ordinal);
        Assert.Equal("Two-step login: off\n", await _cli.OkAsync("2fa", "status"));
    }

    [Fact]
    public async Task TwoFactorCommands_WithoutASession_Fail()
    {
        var (exit, _, error) = await (await NewCliAsync()).RunAsync("2fa", "status");

        Assert.Equal(ExitCodes.NotLoggedIn, exit);
        Assert.Contains("not logged in", error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Key: ([A-Z2-7]+)")]
    private static partial Regex KeyLine();

    /// <summary>The code of the step after the current one: the current step may already be spent by enable.</summary>
    private static string NextCode(byte[] secret) => Totp.Compute(secret, DateTimeOffset.UtcNow.AddSeconds(Totp.StepSeconds));

    private async Task<byte[]> EnableWithSecretAsync()
    {
        var secret = Totp.NewSecret();
        var output = await _cli.OkAsync(
            "2fa", "enable", "--secret", Base32.Encode(secret), "--code", Totp.Compute(secret, DateTimeOffset.UtcNow), "--passwordenv", "MP");
        Assert.Contains("Two-step login is on.", output, StringComparison.Ordinal);
        return secret;
    }

    /// <summary>Another installation (its own config folder and device), pointed at the same server, not logged in.</summary>
    private async Task<CliRun> NewCliAsync()
    {
        var cli = new CliRun();
        cli.SetEnvironment("MP", Password);
        _others.Add(cli);
        await cli.OkAsync("config", "server", server.BaseUrl.ToString());
        return cli;
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
