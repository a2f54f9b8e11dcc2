using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;
using static Coffer.Server.Tests.TwoFactor.EmailCodeApi;
using static Coffer.Server.Tests.TwoFactor.TwoFactorApi;

namespace Coffer.Server.Tests.TwoFactor;

/// <summary>
/// Two-step login by e-mailed code (provider 1) through a real SMTP server (MailSink): setup proves the mailbox,
/// the login challenge mails a code, and codes are single-use, expiring, bounded in wrong tries and bound to their purpose.
/// </summary>
public sealed class EmailCodeTests(TwoFactorServer server) : IClassFixture<TwoFactorServer>
{
    private readonly CofferFactory factory = server.Factory;
    private readonly MailSink sink = server.Sink;

    [Fact]
    public async Task EmailProvider_EnabledWithTheMailedCode_MailsALoginCodeThatLogsIn()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account, sink);
        Assert.True((bool)(await account.SyncAsync())["profile"]!["twoFactorEnabled"]!);
        var state = await GetAsync(account);
        Assert.True((bool)state["email"]!["enabled"]!);
        Assert.Equal(account.Email, (string?)state["email"]!["email"]);

        var challenge = await LoginAsync(account).ExpectChallengeAsync();
        var masked = account.Email[0] + "***" + account.Email[account.Email.IndexOf('@', StringComparison.Ordinal)..];
        Assert.Contains("\"TwoFactorProviders\":[\"1\"],\"TwoFactorProviders2\":{\"1\":{\"Email\":\"" + masked + "\"}}", challenge, StringComparison.Ordinal);
        var mail = await sink.WaitForAsync(account.Email, m => m.Subject == "Your Coffer login code");
        Assert.Single(LoginMails(sink, account.Email));

        // The code is the only secret in it, and its lifetime is stated.
        Assert.Contains("valid for 10 minutes", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(account.Credentials.MasterPasswordHash, mail.Text + mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(CodeIn(mail), mail.Subject, StringComparison.Ordinal);

        var token = await LoginAsync(account, "1", CodeIn(mail)).ExpectLoginAsync();
        Assert.False(string.IsNullOrEmpty(token.RequireString("access_token")));
        Assert.Contains(1002, await EventTypesAsync(account));
    }

    [Fact]
    public async Task Login_WithAWrongCode_IsRefused_AndTheRightOneStillWorks()
    {
        var account = await AccountWithEmailAsync();
        await LoginAsync(account).ExpectChallengeAsync();
        var code = await LoginCodeAsync(sink, account.Email);

        await LoginAsync(account, "1", Other(code)).ExpectInvalidTokenAsync();

        Assert.Contains(1006, await EventTypesAsync(account));
        await LoginAsync(account, "1", code).ExpectLoginAsync();
    }

    [Fact]
    public async Task Login_WithAReusedCode_IsRefused()
    {
        var account = await AccountWithEmailAsync();
        await LoginAsync(account).ExpectChallengeAsync();
        var code = await LoginCodeAsync(sink, account.Email);
        await LoginAsync(account, "1", code).ExpectLoginAsync();

        await LoginAsync(account, "1", code).ExpectInvalidTokenAsync();
    }

    [Fact]
    public async Task Login_WithAnExpiredCode_IsRefused()
    {
        var account = await AccountWithEmailAsync();
        await LoginAsync(account).ExpectChallengeAsync();
        var code = await LoginCodeAsync(sink, account.Email);

        factory.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        await LoginAsync(account, "1", code).ExpectInvalidTokenAsync();
    }

    [Fact]
    public async Task Login_AfterFiveWrongCodes_RefusesTheRightCodeToo()
    {
        var account = await AccountWithEmailAsync();
        await LoginAsync(account).ExpectChallengeAsync();
        var code = await LoginCodeAsync(sink, account.Email);
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync(account, "1", Other(code, i)).ExpectInvalidTokenAsync();
        }

        await LoginAsync(account, "1", code).ExpectInvalidTokenAsync();
    }

    [Fact]
    public async Task Codes_OfAnotherPurpose_AreRefused()
    {
        var account = await TestAccount.CreateAsync(factory);
        var token = (await GetAsync(account)).RequireString("userVerificationToken");
        using (var sent = await SendSetupAsync(account, token, account.Email))
        {
            await sent.ExpectSuccessAsync();
        }

        var setupCode = CodeIn(await sink.WaitForAsync(account.Email, m => m.Subject.Contains("Confirm", StringComparison.Ordinal)));
        using (var enabled = await PutAsync(account, token, account.Email, setupCode))
        {
            await enabled.ExpectObjectAsync();
        }

        // The setup code, used up or not, never logs in; a login code never enables the provider for another address.
        await LoginAsync(account).ExpectChallengeAsync();
        await LoginAsync(account, "1", setupCode).ExpectInvalidTokenAsync();
        await LoginAsync(account).ExpectChallengeAsync();
        var loginCode = await LoginCodeAsync(sink, account.Email);
        using var put = await PutAsync(account, token, "other-" + account.Email, loginCode);
        await put.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Setup_WithTheCodeOfAnotherAddress_IsRefused()
    {
        var account = await TestAccount.CreateAsync(factory);
        var token = (await GetAsync(account)).RequireString("userVerificationToken");
        var mine = "mine-" + account.Email;
        using (var sent = await SendSetupAsync(account, token, mine))
        {
            await sent.ExpectSuccessAsync();
        }

        var code = CodeIn(await sink.WaitForAsync(mine));

        using var response = await PutAsync(account, token, "victim-" + account.Email, code);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid token.", (string?)error["message"]);
        Assert.False((bool)(await GetAsync(account))["email"]!["enabled"]!);
    }

    [Fact]
    public async Task SendSetup_WithoutAProof_Returns400_AndMailsNothing()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await SendSetupAsync(account, "forged", "nothing-" + account.Email);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("User verification failed.", (string?)error["message"]);
        await Task.Delay(500);
        Assert.Empty(sink.To("nothing-" + account.Email));
    }

    [Fact]
    public async Task SendEmailLogin_WithTheRightPassword_MailsACode_AtMostOncePerMinute()
    {
        var account = await AccountWithEmailAsync();
        using (var first = await SendLoginCodeAsync(account))
        {
            await first.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var code = await LoginCodeAsync(sink, account.Email);

        // Asked again within the minute (bw asks right after the challenge): the mailed code stays the valid one.
        using (var again = await SendLoginCodeAsync(account))
        {
            await again.ExpectStatusAsync(HttpStatusCode.OK);
        }

        await LoginAsync(account).ExpectChallengeAsync();
        await Task.Delay(1000);
        Assert.Single(LoginMails(sink, account.Email));

        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        using (var later = await SendLoginCodeAsync(account))
        {
            await later.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var newer = await LoginCodeAsync(sink, account.Email, nth: 2);
        if (newer != code)
        {
            await LoginAsync(account, "1", code).ExpectInvalidTokenAsync();
        }

        await LoginAsync(account, "1", newer).ExpectLoginAsync();
    }

    [Fact]
    public async Task SendEmailLogin_WithAWrongPassword_Returns400_AndMailsNothing()
    {
        var account = await AccountWithEmailAsync();

        using var response = await SendLoginCodeAsync(account, Fake.MasterPasswordHash());

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Username or password is incorrect. Try again.", (string?)error["message"]);
        using var unknown = await account.Factory.CreateClient().PostJsonAsync("/api/two-factor/send-email-login", new JsonObject
        {
            ["email"] = Fake.Email(),
            ["masterPasswordHash"] = account.Credentials.MasterPasswordHash,
        });
        Assert.Equal(error.ToJsonString(), (await unknown.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest)).ToJsonString());
        await Task.Delay(500);
        Assert.Empty(LoginMails(sink, account.Email));
    }

    [Fact]
    public async Task WithSeveralProviders_TheChallengeListsEach_AndMailsNoCodeUnasked()
    {
        var account = await AccountWithEmailAsync();
        await EnableAsync(account);
        using var key = new SoftwareAuthenticator(TwoFactorServer.PublicUrl);
        await SecurityKeyApi.RegisterAsync(account, key);

        using var response = await LoginAsync(account);
        var challenge = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["0", "1", "7"], challenge["TwoFactorProviders"]!.AsArray().Select(p => (string)p!));
        var providers = challenge["TwoFactorProviders2"]!.AsObject();
        Assert.Null(providers["0"]);
        Assert.NotNull(providers["1"]!["Email"]);
        Assert.NotNull(providers["7"]!["challenge"]);
        await Task.Delay(1000);
        Assert.Empty(LoginMails(sink, account.Email));

        // Choosing e-mail, the client asks for the code.
        using (var sent = await SendLoginCodeAsync(account))
        {
            await sent.ExpectStatusAsync(HttpStatusCode.OK);
        }

        await LoginAsync(account, "1", await LoginCodeAsync(sink, account.Email)).ExpectLoginAsync();
    }

    [Fact]
    public async Task DisablingEmail_EndsTheChallenge_AndRecoveryRemovesIt()
    {
        var account = await AccountWithEmailAsync();
        var token = (await GetAsync(account)).RequireString("userVerificationToken");
        using (var disabled = await account.Client.SendJsonAsync(HttpMethod.Delete, "/api/two-factor/email", new JsonObject { ["userVerificationToken"] = token }))
        {
            await disabled.ExpectSuccessAsync();
        }

        await LoginAsync(account).ExpectLoginAsync();
        Assert.Contains(1003, await EventTypesAsync(account));

        await EnableAsync(account, sink);
        var recovery = await RecoveryCodeAsync(account);
        await LoginAsync(account, "8", recovery).ExpectLoginAsync();
        Assert.False((bool)(await GetAsync(account))["email"]!["enabled"]!);
        await LoginAsync(account).ExpectLoginAsync();
    }

    [Fact]
    public async Task LegacyDisable_WithType1_TurnsEmailOff()
    {
        var account = await AccountWithEmailAsync();

        using var response = await account.Client.PutJsonAsync("/api/two-factor/disable", new JsonObject { ["type"] = 1, ["masterPasswordHash"] = account.Credentials.MasterPasswordHash });

        await response.ExpectObjectAsync();
        await LoginAsync(account).ExpectLoginAsync();
    }

    [Fact]
    public async Task SendSetup_WithoutMail_Returns400WithTheReason()
    {
        await using var plain = new CofferFactory();
        var account = await TestAccount.CreateAsync(plain);
        var token = (await GetAsync(account)).RequireString("userVerificationToken");

        using var response = await SendSetupAsync(account, token, account.Email);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Coffer:Smtp", (string?)error["message"], StringComparison.Ordinal);
    }

    private async Task<TestAccount> AccountWithEmailAsync()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account, sink);
        return account;
    }

    /// <summary>A six-digit code that is not <paramref name="code"/>.</summary>
    private static string Other(string code, int i = 0) =>
        ((int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) + 1 + i) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}
