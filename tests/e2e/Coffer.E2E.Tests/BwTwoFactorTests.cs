using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Crypto;

namespace Coffer.E2E.Tests;

/// <summary>
/// The official CLI against an account whose two-step login `coffer 2fa enable` turned on (protocol §3.3,
/// §4.3.3): without a code it stops at the challenge; with `--method 0 --code` it logs in and unlocks.
/// </summary>
public sealed class BwTwoFactorTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task BwLogin_WithTotpOn_NeedsTheCode_ThenLogsInWithMethod0()
    {
        var account = TestAccount.CreateUnique();
        var coffer = fixture.NewCoffer(account);
        await coffer.RegisterAsync(fixture.Server.Url);
        await coffer.LoginAsync(fixture.Server.Url);
        var secret = Totp.NewSecret();
        await coffer.OkAsync(
            "coffer 2fa enable", "2fa", "enable", "--secret", Base32.Encode(secret), "--code", Totp.Compute(secret, DateTimeOffset.UtcNow));
        Assert.Equal("Two-step login: on (authenticator app)\n", await coffer.OkAsync("coffer 2fa status", "2fa", "status"));

        var bw = fixture.NewBw(account);
        await bw.OkAsync("bw config server", "config", "server", fixture.Server.Url);
        var withoutCode = await bw.FailsAsync("bw login (no code)", "login", account.Email, "--passwordenv", BwClient.PasswordVariable, "--raw");
        var wrongCode = await bw.FailsAsync(
            "bw login (wrong code)", "login", account.Email, "--passwordenv", BwClient.PasswordVariable, "--method", "0", "--code", WrongCode(secret), "--raw");

        // The enabling code's step is spent; the next step's code is inside the server's ±1 step window.
        await bw.LoginAsync(fixture.Server.Url, "--method", "0", "--code", Totp.Compute(secret, DateTimeOffset.UtcNow.AddSeconds(Totp.StepSeconds)));
        var status = await bw.JsonAsync("bw status (after 2FA login)", "status");
        await bw.OkAsync("bw sync", "sync");

        Assert.Contains("Code is required.", withoutCode.StdOut + withoutCode.StdErr, StringComparison.Ordinal);
        Assert.Contains("Two-step token is invalid", wrongCode.StdOut + wrongCode.StdErr, StringComparison.Ordinal);
        Assert.Equal("unlocked", status.Text("status"));
        Assert.Equal(account.Email, status.Text("userEmail"));
    }

    /// <summary>A six-digit code that matches none of the steps the server accepts around now.</summary>
    private static string WrongCode(byte[] secret)
    {
        var now = DateTimeOffset.UtcNow;
        var valid = Enumerable.Range(-2, 5).Select(s => Totp.Compute(secret, now.AddSeconds(s * Totp.StepSeconds))).ToHashSet();
        return Enumerable.Range(0, 6).Select(i => (i * 111_111).ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }
}
