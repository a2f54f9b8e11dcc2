using System.Net;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Coffer.Server.Tests.TwoFactor.TwoFactorApi;

namespace Coffer.Server.Tests.TwoFactor;

/// <summary>Protocol §4.3.3 and account doc §2.4–§2.5: the password grant of an account with TOTP on.</summary>
public sealed class TwoFactorLoginTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task Login_WithoutACode_ReturnsTheExactChallenge()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);

        var challenge = await LoginAsync(account).ExpectChallengeAsync();

        // The CLI reads TwoFactorProviders2 by exact name; the whole body is upstream's, byte for byte.
        Assert.Equal(
            """{"error":"invalid_grant","error_description":"Two factor required.","TwoFactorProviders":["0"],"TwoFactorProviders2":{"0":null},"MasterPasswordPolicy":{"Object":"masterPasswordPolicy"}}""",
            challenge);
    }

    [Theory]
    [InlineData("0", "")]
    [InlineData("", "123456")]
    public async Task Login_WithAnEmptyProviderOrToken_ReturnsTheChallenge(string provider, string token)
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);

        await LoginAsync(account, provider, token).ExpectChallengeAsync();
    }

    [Fact]
    public async Task Login_WithAValidCode_Succeeds_WithoutARememberToken()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        factory.Clock.Advance(TimeSpan.FromSeconds(30));

        var token = await LoginAsync(account, "0", Code(factory, key)).ExpectLoginAsync();

        Assert.False(string.IsNullOrEmpty(token.RequireString("access_token")));
        Assert.False(token.ContainsKey("TwoFactorToken"));
        Assert.Contains(1000, await EventTypesAsync(account));
    }

    [Fact]
    public async Task Login_WithAReusedTotpCode_IsRefused()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        var code = Code(factory, key);
        await LoginAsync(account, "0", code).ExpectLoginAsync();

        await LoginAsync(account, "0", code).ExpectInvalidTokenAsync();
    }

    [Fact]
    public async Task Login_WithTheCodeThatEnabledTotp_IsRefused()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);

        await LoginAsync(account, "0", Code(factory, key)).ExpectInvalidTokenAsync();
    }

    [Fact]
    public async Task Login_WithACodeOfAnEarlierStepThanTheLastAccepted_IsRefused()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        factory.Clock.Advance(TimeSpan.FromSeconds(60));
        await LoginAsync(account, "0", Code(factory, key, 1)).ExpectLoginAsync();

        await LoginAsync(account, "0", Code(factory, key)).ExpectInvalidTokenAsync();
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(1, true)]
    [InlineData(-2, false)]
    [InlineData(2, false)]
    public async Task Login_AcceptsCodesOneStepAway_AndRefusesTwo(int steps, bool accepted)
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);

        // Three steps past the enabling one, so even step −2 is newer than the last used step.
        factory.Clock.Advance(TimeSpan.FromSeconds(90));
        var login = LoginAsync(account, "0", Code(factory, key, steps));

        if (accepted)
        {
            await login.ExpectLoginAsync();
        }
        else
        {
            await login.ExpectInvalidTokenAsync();
        }
    }

    [Theory]
    [InlineData("0", "wrong")]
    [InlineData("1", "123456")] // e-mail is not enabled
    [InlineData("3", "123456")]
    [InlineData("x", "123456")]
    [InlineData("-1", "123456")]
    public async Task Login_WithABadSecondFactor_IsRefused_AndAudited(string provider, string token)
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);

        await LoginAsync(account, provider, token).ExpectInvalidTokenAsync();

        Assert.Contains(1006, await EventTypesAsync(account));
    }

    [Fact]
    public async Task Login_WithAWrongCode_IsRefused_AndTheRightCodeStillWorks()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        factory.Clock.Advance(TimeSpan.FromSeconds(30));

        await LoginAsync(account, "0", WrongCode(factory, key)).ExpectInvalidTokenAsync();
        await LoginAsync(account, "0", Code(factory, key)).ExpectLoginAsync();
    }

    [Fact]
    public async Task Login_WithAWrongPassword_AndAValidCode_IsBadCredentials_AndDoesNotBurnTheCode()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        var code = Code(factory, key);

        using (var response = await LoginAsync(account, "0", code, password: Fake.MasterPasswordHash()))
        {
            var error = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
            Assert.Equal("Username or password is incorrect. Try again.", (string?)error["ErrorModel"]?["Message"]);
        }

        await LoginAsync(account, "0", code).ExpectLoginAsync();
    }

    [Fact]
    public async Task Login_WithoutTotp_IgnoresTwoFactorFields()
    {
        var account = await TestAccount.CreateAsync(factory);

        await LoginAsync(account, "0", "123456", remember: "1").ExpectLoginAsync();
    }

    [Fact]
    public async Task Login_WithTheRecoveryCode_TurnsTwoFactorOff_AndTheCodeIsThenRefused()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);
        var recovery = await RecoveryCodeAsync(account);

        // As the web's recover-2fa page sends it: lower case; spaces are tolerated too.
        var spaced = string.Join(' ', recovery.ToLowerInvariant().Chunk(4).Select(c => new string(c)));
        await LoginAsync(account, "8", spaced).ExpectLoginAsync();

        Assert.False(await TwoFactorSetupTests.ProfileTwoFactorEnabledAsync(account));
        await LoginAsync(account).ExpectLoginAsync();
        Assert.Contains(1004, await EventTypesAsync(account));

        // With a second factor again, the used recovery code does not switch it off.
        await EnableAsync(account);
        await LoginAsync(account, "8", recovery).ExpectInvalidTokenAsync();
        Assert.True(await TwoFactorSetupTests.ProfileTwoFactorEnabledAsync(account));
    }

    [Fact]
    public async Task Login_WithAWrongRecoveryCode_IsRefused()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);
        var recovery = await RecoveryCodeAsync(account);

        await LoginAsync(account, "8", recovery[..^1] + (recovery[^1] == 'A' ? 'B' : 'A')).ExpectInvalidTokenAsync();
        Assert.True(await TwoFactorSetupTests.ProfileTwoFactorEnabledAsync(account));
    }

    [Fact]
    public async Task Login_WithRemember_ReturnsARememberToken_ThatSkipsTheCodeNextTime()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        factory.Clock.Advance(TimeSpan.FromSeconds(30));

        var first = await LoginAsync(account, "0", Code(factory, key), remember: "1").ExpectLoginAsync();
        var remember = first.RequireString("TwoFactorToken");
        var second = await LoginAsync(account, "5", remember).ExpectLoginAsync();

        Assert.True(remember.Length >= 43);
        Assert.False(second.ContainsKey("TwoFactorToken"));
        await LoginAsync(account, "5", remember).ExpectLoginAsync();
    }

    [Fact]
    public async Task RememberToken_IsStoredOnlyAsAHash()
    {
        var account = await TestAccount.CreateAsync(factory);
        var remember = await RememberTokenAsync(account);

        List<string> stored = [];
        await WithDbAsync(factory, async db => stored = await db.TwoFactorRememberTokens.Select(t => t.TokenHash).ToListAsync());

        Assert.DoesNotContain(remember, stored);
        Assert.Contains(Identity.TokenService.HashRefreshToken(remember), stored);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    public async Task RememberToken_Invalid_GetsTheChallenge_NotAnError(string remember)
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);

        await LoginAsync(account, "5", remember + new string('x', 43)).ExpectChallengeAsync();
    }

    [Fact]
    public async Task RememberToken_FromAnotherDevice_GetsTheChallenge()
    {
        var account = await TestAccount.CreateAsync(factory);
        var remember = await RememberTokenAsync(account);

        await LoginAsync(account, "5", remember, device: Fake.DeviceIdentifier()).ExpectChallengeAsync();
    }

    [Fact]
    public async Task RememberToken_AfterTheSecurityStampChanges_GetsTheChallenge()
    {
        var account = await TestAccount.CreateAsync(factory);
        var remember = await RememberTokenAsync(account);

        // What a password change or "deauthorize sessions" does to the account row.
        await WithDbAsync(factory, db => db.Users.Where(u => u.Id == Guid.Parse(account.UserId))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.SecurityStamp, Guid.NewGuid().ToString())));

        await LoginAsync(account, "5", remember).ExpectChallengeAsync();
    }

    [Fact]
    public async Task RememberToken_AfterTotpIsTurnedOffAndOnAgain_GetsTheChallenge()
    {
        var account = await TestAccount.CreateAsync(factory);
        var remember = await RememberTokenAsync(account);
        await LoginAsync(account, "8", await RecoveryCodeAsync(account)).ExpectLoginAsync();
        await EnableAsync(account);

        await LoginAsync(account, "5", remember).ExpectChallengeAsync();
    }

    [Fact]
    public async Task RememberToken_After30Days_GetsTheChallenge()
    {
        var account = await TestAccount.CreateAsync(factory);
        var remember = await RememberTokenAsync(account);
        factory.Clock.Advance(TimeSpan.FromDays(29));
        await LoginAsync(account, "5", remember).ExpectLoginAsync();

        factory.Clock.Advance(TimeSpan.FromDays(1.1));

        await LoginAsync(account, "5", remember).ExpectChallengeAsync();
    }

    private async Task<string> RememberTokenAsync(TestAccount account)
    {
        var key = await EnableAsync(account);
        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        var login = await LoginAsync(account, "0", Code(factory, key), remember: "1").ExpectLoginAsync();
        return login.RequireString("TwoFactorToken");
    }
}
