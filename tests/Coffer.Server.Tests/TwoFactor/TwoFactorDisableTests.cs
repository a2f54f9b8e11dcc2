using System.Net;
using System.Text.Json.Nodes;
using Coffer.Protocol.Crypto;
using Coffer.Server.Tests.Infrastructure;
using static Coffer.Server.Tests.TwoFactor.TwoFactorApi;

namespace Coffer.Server.Tests.TwoFactor;

/// <summary>Account doc §2.3 step 3 and §2.4: turning the authenticator off, the recovery code, and the audit trail.</summary>
public sealed class TwoFactorDisableTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task DeleteAuthenticator_WithAFreshVerificationToken_TurnsTotpOff()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        var setup = await GetAuthenticatorAsync(account);

        using var response = await account.Client.SendJsonAsync(HttpMethod.Delete, AuthenticatorUrl, new JsonObject
        {
            ["key"] = key,
            ["userVerificationToken"] = setup.RequireString("userVerificationToken"),
        });

        await response.ExpectSuccessAsync();
        Assert.False(await TwoFactorSetupTests.ProfileTwoFactorEnabledAsync(account));
        using var list = await account.Client.GetAsync("/api/two-factor");
        Assert.Empty((await list.ExpectObjectAsync()).RequireArray("data"));
        await LoginAsync(account).ExpectLoginAsync();
    }

    [Fact]
    public async Task DeleteAuthenticator_WithATokenForAKeyNotInUse_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var offered = await GetAuthenticatorAsync(account); // a key the user was shown but never enabled
        await EnableAsync(account);

        using var response = await account.Client.SendJsonAsync(HttpMethod.Delete, AuthenticatorUrl, new JsonObject
        {
            ["key"] = offered["authenticator"].RequireString("key"),
            ["userVerificationToken"] = offered.RequireString("userVerificationToken"),
        });

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("User verification failed.", (string?)error["message"]);
        Assert.True(await TwoFactorSetupTests.ProfileTwoFactorEnabledAsync(account));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("forged.token")]
    public async Task DeleteAuthenticator_WithoutAValidToken_Returns400(string? token)
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);

        using var response = await account.Client.SendJsonAsync(HttpMethod.Delete, AuthenticatorUrl, new JsonObject
        {
            ["key"] = key,
            ["userVerificationToken"] = token,
        });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.True(await TwoFactorSetupTests.ProfileTwoFactorEnabledAsync(account));
    }

    [Fact]
    public async Task DeleteAuthenticator_WithAnotherUsersToken_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        await EnableAsync(other);
        var foreign = await GetAuthenticatorAsync(other);

        using var response = await account.Client.SendJsonAsync(HttpMethod.Delete, AuthenticatorUrl, new JsonObject
        {
            ["key"] = key,
            ["userVerificationToken"] = foreign.RequireString("userVerificationToken"),
        });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.True(await TwoFactorSetupTests.ProfileTwoFactorEnabledAsync(account));
    }

    [Fact]
    public async Task LegacyDisable_WithMasterPasswordHash_TurnsTotpOff()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);

        using var response = await account.Client.PutJsonAsync("/api/two-factor/disable", new JsonObject
        {
            ["type"] = 0,
            ["masterPasswordHash"] = account.Credentials.MasterPasswordHash,
        });

        var body = await response.ExpectObjectAsync();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"enabled":false,"type":0,"object":"twoFactorProvider"}"""), body));
        Assert.False(await TwoFactorSetupTests.ProfileTwoFactorEnabledAsync(account));
    }

    [Fact]
    public async Task LegacyDisable_WithAWrongPassword_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);

        using var response = await account.Client.PutJsonAsync("/api/two-factor/disable", new JsonObject
        {
            ["type"] = 0,
            ["masterPasswordHash"] = Fake.MasterPasswordHash(),
        });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.True(await TwoFactorSetupTests.ProfileTwoFactorEnabledAsync(account));
    }

    [Fact]
    public async Task GetRecover_BeforeTwoFactorIsOn_ReturnsNullCode()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync(GetRecoverUrl, new JsonObject { ["masterPasswordHash"] = account.Credentials.MasterPasswordHash });

        var body = await response.ExpectObjectAsync();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"code":null,"object":"twoFactorRecover"}"""), body));
    }

    [Fact]
    public async Task GetRecover_WithAWrongPassword_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);

        using var response = await account.Client.PostJsonAsync(GetRecoverUrl, new JsonObject { ["masterPasswordHash"] = Fake.MasterPasswordHash() });

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("User verification failed.", (string?)error["message"]);
    }

    [Fact]
    public async Task GetRecover_IssuesA160BitCode_AndEachReadReplacesThePreviousOne()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);

        var first = await RecoveryCodeAsync(account);
        var second = await RecoveryCodeAsync(account);

        Assert.Equal(20, Base32.Decode(first).Length);
        Assert.NotEqual(first, second);
        await LoginAsync(account, "8", first).ExpectInvalidTokenAsync();
        await LoginAsync(account, "8", second).ExpectLoginAsync();
    }

    [Fact]
    public async Task RecoveryCode_IsStoredOnlyAsAHash()
    {
        var account = await TestAccount.CreateAsync(factory);
        await EnableAsync(account);
        var code = await RecoveryCodeAsync(account);

        string? stored = null;
        await WithDbAsync(factory, async db => stored = (await db.Users.FindAsync(Guid.Parse(account.UserId)))!.TwoFactorRecoveryCodeHash);

        Assert.NotNull(stored);
        Assert.DoesNotContain(code, stored, StringComparison.OrdinalIgnoreCase);
        Assert.Matches("^[0-9a-f]{64}$", stored);
    }

    [Fact]
    public async Task TwoFactorChanges_AreAudited()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = await EnableAsync(account);
        await LoginAsync(account, "0", WrongCode(factory, key)).ExpectInvalidTokenAsync();
        var setup = await GetAuthenticatorAsync(account);
        using (var delete = await account.Client.SendJsonAsync(HttpMethod.Delete, AuthenticatorUrl, new JsonObject
        {
            ["key"] = key,
            ["userVerificationToken"] = setup.RequireString("userVerificationToken"),
        }))
        {
            await delete.ExpectSuccessAsync();
        }

        await EnableAsync(account);
        await LoginAsync(account, "8", await RecoveryCodeAsync(account)).ExpectLoginAsync();

        var types = await EventTypesAsync(account);
        Assert.Equal([1002, 1006, 1003, 1002, 1004, 1000], types.SkipWhile(t => t != 1002).Where(t => t is >= 1000 and <= 1006).ToList());
    }
}
