using System.Net;
using System.Text.Json.Nodes;
using Coffer.Protocol.Crypto;
using Coffer.Server.Tests.Infrastructure;
using static Coffer.Server.Tests.TwoFactor.TwoFactorApi;

namespace Coffer.Server.Tests.TwoFactor;

/// <summary>Account doc §2.2–§2.4: turning the authenticator on and off, and the recovery code.</summary>
public sealed class TwoFactorSetupTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task GetAuthenticator_ReturnsAFreshKey_NestedAndFlat_WithAVerificationToken()
    {
        var account = await TestAccount.CreateAsync(factory);

        var first = await GetAuthenticatorAsync(account);
        var second = await GetAuthenticatorAsync(account);

        var key = first["authenticator"].RequireString("key");
        Assert.Equal(20, Base32.Decode(key).Length);
        Assert.Matches("^[A-Z2-7]{32}$", key);
        Assert.False((bool?)first["authenticator"]?["enabled"]);
        Assert.Equal(key, first.RequireString("key"));
        Assert.False((bool?)first["enabled"]);
        Assert.Equal("twoFactorAuthenticator", (string?)first["object"]);
        Assert.False(string.IsNullOrEmpty(first.RequireString("userVerificationToken")));

        // Nothing is stored until a code comes back, so every call offers a new key.
        Assert.NotEqual(key, second["authenticator"].RequireString("key"));
        Assert.False(await ProfileTwoFactorEnabledAsync(account));
    }

    [Theory]
    [InlineData("""{"masterPasswordHash":"d3Jvbmc="}""")]
    [InlineData("""{"otp":"123456"}""")]
    [InlineData("""{"masterPasswordHash":""}""")]
    [InlineData("{}")]
    public async Task GetAuthenticator_WithoutTheRightPassword_Returns400_Not401(string body)
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.SendRawAsync(HttpMethod.Post, GetAuthenticatorUrl, body);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("User verification failed.", (string?)error["message"]);
    }

    [Fact]
    public async Task TwoFactorRoutes_WithoutAccessToken_Return401()
    {
        using var client = factory.Anonymous();

        using var list = await client.GetAsync("/api/two-factor");
        using var get = await client.PostJsonAsync(GetAuthenticatorUrl, new JsonObject { ["masterPasswordHash"] = "x" });

        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
    }

    [Fact]
    public async Task EnableAuthenticator_WithACurrentCode_TurnsTotpOn_ListsIt_AndRefreshesSyncProfile()
    {
        var account = await TestAccount.CreateAsync(factory);
        Assert.False(await ProfileTwoFactorEnabledAsync(account)); // renders and caches the sync body

        var key = await EnableAsync(account);

        Assert.True(await ProfileTwoFactorEnabledAsync(account));
        using var list = await account.Client.GetAsync("/api/two-factor");
        var providers = await list.ExpectObjectAsync();
        Assert.Equal("list", (string?)providers["object"]);
        var only = Assert.Single(providers.RequireArray("data"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"enabled":true,"type":0,"object":"twoFactorProvider"}"""), only));

        var again = await GetAuthenticatorAsync(account);
        Assert.Equal(key, again["authenticator"].RequireString("key"));
        Assert.True((bool?)again["authenticator"]?["enabled"]);
    }

    [Fact]
    public async Task EnableAuthenticator_ResponseCarriesNestedAndFlatShapes()
    {
        var account = await TestAccount.CreateAsync(factory);
        AlignClock(factory);
        var setup = await GetAuthenticatorAsync(account);
        var key = setup["authenticator"].RequireString("key");

        using var response = await account.Client.PutJsonAsync(AuthenticatorUrl, new JsonObject
        {
            ["token"] = Code(factory, key),
            ["key"] = key.ToLowerInvariant(),
            ["userVerificationToken"] = setup.RequireString("userVerificationToken"),
        });

        var body = await response.ExpectObjectAsync();
        Assert.True((bool?)body["authenticator"]?["enabled"]);
        Assert.Equal(key, body["authenticator"].RequireString("key"));
        Assert.True((bool?)body["enabled"]);
        Assert.Equal(key, body.RequireString("key"));
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(-2, false)]
    [InlineData(2, false)]
    public async Task EnableAuthenticator_AcceptsCodesUpToOneStepAway(int steps, bool accepted)
    {
        var account = await TestAccount.CreateAsync(factory);
        AlignClock(factory);
        var setup = await GetAuthenticatorAsync(account);
        var key = setup["authenticator"].RequireString("key");

        using var response = await PutAuthenticatorAsync(account, Code(factory, key, steps), key, setup.RequireString("userVerificationToken"));

        if (accepted)
        {
            await response.ExpectObjectAsync();
        }
        else
        {
            var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Equal("Invalid token.", (string?)error["message"]);
        }

        Assert.Equal(accepted, await ProfileTwoFactorEnabledAsync(account));
    }

    [Theory]
    [InlineData("000000")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("12345")]
    [InlineData("abcdef")]
    public async Task EnableAuthenticator_WithAWrongCode_Returns400(string? code)
    {
        var account = await TestAccount.CreateAsync(factory);
        AlignClock(factory);
        var setup = await GetAuthenticatorAsync(account);
        var key = setup["authenticator"].RequireString("key");
        if (code == "000000" && Code(factory, key) == code)
        {
            code = "999999";
        }

        using var response = await PutAuthenticatorAsync(account, code, key, setup.RequireString("userVerificationToken"));

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid token.", (string?)error["message"]);
        Assert.Equal("Invalid token.", (string?)error["validationErrors"]?["Token"]?[0]);
        Assert.False(await ProfileTwoFactorEnabledAsync(account));
    }

    public static TheoryData<string> BadVerificationTokens => new()
    {
        "",
        "garbage",
        "a.b",
        "a.b.c",
        new string('A', 600),
    };

    [Theory]
    [MemberData(nameof(BadVerificationTokens))]
    public async Task EnableAuthenticator_WithABadVerificationToken_Returns400(string token)
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = Base32.Encode(Totp.NewSecret());

        using var response = await account.Client.PutJsonAsync(AuthenticatorUrl, new JsonObject
        {
            ["token"] = Code(factory, key),
            ["key"] = key,
            ["userVerificationToken"] = token,
        });

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("User verification failed.", (string?)error["message"]);
        Assert.False(await ProfileTwoFactorEnabledAsync(account));
    }

    [Fact]
    public async Task EnableAuthenticator_WithATamperedVerificationToken_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var setup = await GetAuthenticatorAsync(account);
        var key = setup["authenticator"].RequireString("key");
        var token = setup.RequireString("userVerificationToken");
        var flipped = token[..5] + (token[5] == 'A' ? 'B' : 'A') + token[6..];

        using var response = await account.Client.PutJsonAsync(AuthenticatorUrl, new JsonObject
        {
            ["token"] = Code(factory, key),
            ["key"] = key,
            ["userVerificationToken"] = flipped,
        });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.False(await ProfileTwoFactorEnabledAsync(account));
    }

    [Fact]
    public async Task EnableAuthenticator_WithAKeyOtherThanTheTokens_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var setup = await GetAuthenticatorAsync(account);
        var chosen = Base32.Encode(Totp.NewSecret());

        using var response = await account.Client.PutJsonAsync(AuthenticatorUrl, new JsonObject
        {
            ["token"] = Code(factory, chosen),
            ["key"] = chosen,
            ["userVerificationToken"] = setup.RequireString("userVerificationToken"),
        });

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("User verification failed.", (string?)error["message"]);
    }

    [Fact]
    public async Task EnableAuthenticator_WithAnotherUsersVerificationToken_Returns400()
    {
        var victim = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var setup = await GetAuthenticatorAsync(other);
        var key = setup["authenticator"].RequireString("key");

        using var response = await victim.Client.PutJsonAsync(AuthenticatorUrl, new JsonObject
        {
            ["token"] = Code(factory, key),
            ["key"] = key,
            ["userVerificationToken"] = setup.RequireString("userVerificationToken"),
        });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.False(await ProfileTwoFactorEnabledAsync(victim));
    }

    [Fact]
    public async Task EnableAuthenticator_WithAnExpiredVerificationToken_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var setup = await GetAuthenticatorAsync(account);
        var key = setup["authenticator"].RequireString("key");
        factory.Clock.Advance(TimeSpan.FromMinutes(31));

        using var response = await account.Client.PutJsonAsync(AuthenticatorUrl, new JsonObject
        {
            ["token"] = Code(factory, key),
            ["key"] = key,
            ["userVerificationToken"] = setup.RequireString("userVerificationToken"),
        });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.False(await ProfileTwoFactorEnabledAsync(account));
    }

    [Theory]
    [InlineData("JBSWY3DPEHPK3PXP", "Invalid key length")] // 10 bytes
    [InlineData("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DP", "Invalid key length")] // 25 bytes
    [InlineData("JBSWY3DPEHPK3PXP!BSWY3DPEHPK3PXP", "Invalid totp secret")]
    [InlineData("JBSWY3DPEHPK3PX0JBSWY3DPEHPK3PXP", "Invalid totp secret")]
    [InlineData("", "Invalid key length")]
    public async Task EnableAuthenticator_WithABadKey_Returns400(string key, string message)
    {
        var account = await TestAccount.CreateAsync(factory);

        // The legacy proof (the password), since a verification token is only ever minted for a good key.
        using var response = await account.Client.PutJsonAsync(AuthenticatorUrl, new JsonObject
        {
            ["token"] = "123456",
            ["key"] = key,
            ["masterPasswordHash"] = account.Credentials.MasterPasswordHash,
        });

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.StartsWith(message, (string?)error["message"], StringComparison.Ordinal);
        Assert.False(await ProfileTwoFactorEnabledAsync(account));
    }

    [Fact]
    public async Task EnableAuthenticator_LegacyPostWithMasterPasswordHash_TurnsTotpOn()
    {
        var account = await TestAccount.CreateAsync(factory);
        AlignClock(factory);
        var key = Base32.Encode(Totp.NewSecret());

        using var response = await account.Client.PostJsonAsync(AuthenticatorUrl, new JsonObject
        {
            ["key"] = key,
            ["token"] = Code(factory, key),
            ["masterPasswordHash"] = account.Credentials.MasterPasswordHash,
        });

        await response.ExpectObjectAsync();
        Assert.True(await ProfileTwoFactorEnabledAsync(account));
    }

    [Fact]
    public async Task EnableAuthenticator_LegacyWithAWrongPassword_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = Base32.Encode(Totp.NewSecret());

        using var response = await account.Client.PostJsonAsync(AuthenticatorUrl, new JsonObject
        {
            ["key"] = key,
            ["token"] = Code(factory, key),
            ["masterPasswordHash"] = Fake.MasterPasswordHash(),
        });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.False(await ProfileTwoFactorEnabledAsync(account));
    }

    private static Task<HttpResponseMessage> PutAuthenticatorAsync(TestAccount account, string? code, string key, string verificationToken) =>
        account.Client.PutJsonAsync(AuthenticatorUrl, new JsonObject { ["token"] = code, ["key"] = key, ["userVerificationToken"] = verificationToken });

    internal static async Task<bool> ProfileTwoFactorEnabledAsync(TestAccount account)
    {
        var profile = (await account.SyncAsync())["profile"];
        return (bool)profile!["twoFactorEnabled"]!;
    }
}
