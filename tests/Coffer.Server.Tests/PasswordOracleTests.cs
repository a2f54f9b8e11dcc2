using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.TwoFactor;

namespace Coffer.Server.Tests;

/// <summary>
/// A stolen access token is not a master-password oracle (Accounts/MasterPasswordProof): every route that checks
/// the master password hash counts wrong ones into the login's lockout (10 failures with the defaults), refuses even
/// the right hash while it is in force, and spends a per-account budget. Each test makes its own account.
/// </summary>
public sealed class PasswordOracleTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private const int Failures = 10;

    public static TheoryData<string> Routes => new()
    {
        "verify-password", "security-stamp", "delete-account", "email-token", "password", "get-authenticator", "get-recover", "disable-2fa",
    };

    [Fact]
    public async Task VerifyPassword_BruteForceOverAStolenToken_LocksAfterTheConfiguredFailures_ThenRefusesTheRightHash()
    {
        var account = await TestAccount.CreateAsync(factory);
        for (var i = 0; i < Failures; i++)
        {
            using var guess = await SendAsync(account, "verify-password", Fake.MasterPasswordHash());
            Assert.Equal("Invalid password.", (string?)(await guess.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest))["message"]);
        }

        using var right = await SendAsync(account, "verify-password", account.Credentials.MasterPasswordHash);

        Assert.Equal(AbuseApi.LockoutMessage, (string?)(await right.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest))["message"]);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_BruteForceOverAStolenToken_HitsTheLockout_AndTheRightHashIsRefused(string route)
    {
        var account = await TestAccount.CreateAsync(factory);
        for (var i = 0; i < Failures; i++)
        {
            using var guess = await SendAsync(account, route, Fake.MasterPasswordHash());
            var message = (string?)(await guess.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest))["message"];
            Assert.NotEqual(AbuseApi.LockoutMessage, message);
        }

        using var right = await SendAsync(account, route, account.Credentials.MasterPasswordHash);

        Assert.Equal(AbuseApi.LockoutMessage, (string?)(await right.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest))["message"]);
        // Refused means nothing happened: the session still works and the account is still there.
        using var sync = await account.Client.GetAsync("/api/sync");
        await sync.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task VerifyPassword_Failures_LockTheLogin()
    {
        var account = await TestAccount.CreateAsync(factory);
        await FailVerifyAsync(account, Failures);

        using var login = await IdentityApi.PasswordGrantAsync(factory.CreateClient(), account.Email, account.Credentials.MasterPasswordHash, Fake.DeviceIdentifier());

        Assert.Equal(AbuseApi.LockoutMessage, (string?)(await login.ExpectObjectAsync(HttpStatusCode.BadRequest))["message"]);
    }

    [Fact]
    public async Task Login_Failures_LockVerifyPassword()
    {
        var account = await TestAccount.CreateAsync(factory);
        for (var i = 0; i < Failures; i++)
        {
            using var guess = await AbuseApi.WrongPasswordAsync(factory.CreateClient(), account.Email);
        }

        using var right = await SendAsync(account, "verify-password", account.Credentials.MasterPasswordHash);

        Assert.Equal(AbuseApi.LockoutMessage, (string?)(await right.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest))["message"]);
    }

    [Fact]
    public async Task VerifyPassword_FailuresOnBothPaths_AddUpToOneLockout()
    {
        var account = await TestAccount.CreateAsync(factory);
        await FailVerifyAsync(account, Failures / 2);
        for (var i = 0; i < Failures / 2; i++)
        {
            using var guess = await AbuseApi.WrongPasswordAsync(factory.CreateClient(), account.Email);
        }

        using var right = await SendAsync(account, "verify-password", account.Credentials.MasterPasswordHash);

        Assert.Equal(AbuseApi.LockoutMessage, (string?)(await right.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest))["message"]);
    }

    [Fact]
    public async Task VerifyPassword_RightHash_DoesNotResetTheFailures()
    {
        var account = await TestAccount.CreateAsync(factory);
        await FailVerifyAsync(account, Failures - 1);
        using (var right = await SendAsync(account, "verify-password", account.Credentials.MasterPasswordHash))
        {
            await right.ExpectStatusAsync(HttpStatusCode.OK);
        }

        await FailVerifyAsync(account, 1);
        using var again = await SendAsync(account, "verify-password", account.Credentials.MasterPasswordHash);

        Assert.Equal(AbuseApi.LockoutMessage, (string?)(await again.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest))["message"]);
    }

    [Fact]
    public async Task VerifyPassword_RightHash_StillWorksBelowTheThreshold()
    {
        var account = await TestAccount.CreateAsync(factory);
        await FailVerifyAsync(account, Failures - 1);

        using var right = await SendAsync(account, "verify-password", account.Credentials.MasterPasswordHash);

        await right.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task VerifyPassword_PerAccountBudget_Answers429_AndSparesOtherAccounts()
    {
        await using var limited = new CofferFactory();
        limited.Settings["Coffer:RateLimits:VerifyPasswordPerAccount:Limit"] = "3";
        var account = await TestAccount.CreateAsync(limited);
        var other = await TestAccount.CreateAsync(limited);
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await SendAsync(account, "verify-password", account.Credentials.MasterPasswordHash);
            await allowed.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var overBudget = await SendAsync(account, "verify-password", account.Credentials.MasterPasswordHash);
        using var otherAccount = await SendAsync(other, "verify-password", other.Credentials.MasterPasswordHash);

        await overBudget.ExpectTooManyRequestsAsync(maxSeconds: 60);
        await otherAccount.ExpectStatusAsync(HttpStatusCode.OK);
    }

    private static async Task FailVerifyAsync(TestAccount account, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var guess = await SendAsync(account, "verify-password", Fake.MasterPasswordHash());
            await guess.ExpectStatusAsync(HttpStatusCode.BadRequest);
        }
    }

    private static Task<HttpResponseMessage> SendAsync(TestAccount account, string route, string hash)
    {
        var proof = new JsonObject { ["masterPasswordHash"] = hash };
        return route switch
        {
            "verify-password" => account.Client.PostJsonAsync(AccountChanges.VerifyPasswordUrl, proof),
            "security-stamp" => account.Client.PostJsonAsync(AccountChanges.SecurityStampUrl, proof),
            "delete-account" => account.Client.SendJsonAsync(HttpMethod.Delete, "/api/accounts", proof),
            "email-token" => account.Client.PostJsonAsync(AccountChanges.EmailTokenUrl, new JsonObject { ["masterPasswordHash"] = hash, ["newEmail"] = Fake.Email() }),
            "password" => account.Client.PostJsonAsync(AccountChanges.PasswordUrl, PasswordChange(account, hash)),
            "get-authenticator" => account.Client.PostJsonAsync(TwoFactorApi.GetAuthenticatorUrl, proof),
            "get-recover" => account.Client.PostJsonAsync(TwoFactorApi.GetRecoverUrl, proof),
            "disable-2fa" => account.Client.SendJsonAsync(HttpMethod.Delete, TwoFactorApi.AuthenticatorUrl, new JsonObject { ["masterPasswordHash"] = hash, ["type"] = 0 }),
            _ => throw new ArgumentOutOfRangeException(nameof(route)),
        };
    }

    private static JsonObject PasswordChange(TestAccount account, string hash)
    {
        var body = AccountChanges.Password(account, Fake.MasterPasswordHash(), Fake.EncString(), objects: false);
        body["masterPasswordHash"] = hash;
        return body;
    }
}
