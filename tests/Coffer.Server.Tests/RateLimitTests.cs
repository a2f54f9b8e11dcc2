using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// Request budgets with Coffer's default limits (the suite's other classes run with roomy ones, see
/// <see cref="CofferFactory.Settings"/>). Each test speaks from its own client addresses, so tests sharing the
/// server never spend each other's budget.
/// </summary>
public sealed class RateLimitTests : IClassFixture<RateLimitTests.DefaultLimitsFactory>
{
    private readonly CofferFactory factory;

    public RateLimitTests(DefaultLimitsFactory fixture) => factory = fixture.Factory;

    [Fact]
    public async Task BruteForce_PasswordGrant_IsRateLimitedWith429AndRetryAfter()
    {
        var attacker = factory.ClientFrom(AbuseApi.Address(1));
        for (var i = 0; i < 10; i++)
        {
            // A different e-mail each time: the address alone is what runs out.
            using var guess = await AbuseApi.WrongPasswordAsync(attacker, Fake.Email());
            await guess.ExpectStatusAsync(HttpStatusCode.BadRequest);
        }

        using var limited = await AbuseApi.WrongPasswordAsync(attacker, Fake.Email());

        await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
    }

    [Fact]
    public async Task BruteForce_OneAccountFromManyAddresses_IsLimitedPerAccount()
    {
        var victim = Fake.Email();
        for (var i = 0; i < 10; i++)
        {
            using var guess = await AbuseApi.WrongPasswordAsync(factory.ClientFrom(AbuseApi.Address(20 + i)), victim);
            AbuseApi.AssertNotLimited(guess);
        }

        using var limited = await AbuseApi.WrongPasswordAsync(factory.ClientFrom(AbuseApi.Address(40)), victim);

        await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
    }

    [Fact]
    public async Task BruteForce_LimitedAddress_DoesNotSpendTheAccountsBudget()
    {
        var attacker = factory.ClientFrom(AbuseApi.Address(2));
        var victim = TestAccount.CreateAsync(factory);
        for (var i = 0; i < 10; i++)
        {
            using var guess = await AbuseApi.WrongPasswordAsync(attacker, Fake.Email());
        }

        var account = await victim;
        for (var i = 0; i < 5; i++)
        {
            using var refused = await AbuseApi.WrongPasswordAsync(attacker, account.Email);
            await refused.ExpectTooManyRequestsAsync(maxSeconds: 60);
        }

        // The real owner, from elsewhere, still has the whole per-account budget.
        using var owner = await IdentityApi.PasswordGrantAsync(factory.ClientFrom(AbuseApi.Address(3)), account.Email, account.Credentials.MasterPasswordHash, Fake.DeviceIdentifier());
        await owner.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RateLimit_AnotherAddress_IsNotAffected()
    {
        var attacker = factory.ClientFrom(AbuseApi.Address(4));
        for (var i = 0; i < 11; i++)
        {
            using var guess = await AbuseApi.WrongPasswordAsync(attacker, Fake.Email());
        }

        using var bystander = await AbuseApi.WrongPasswordAsync(factory.ClientFrom(AbuseApi.Address(5)), Fake.Email());

        await bystander.ExpectStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RateLimit_CaseAndTrailingSlashVariants_ShareTheTokenBudget()
    {
        var attacker = factory.ClientFrom(AbuseApi.Address(6));
        string[] spellings = ["/identity/connect/token", "/IDENTITY/Connect/Token", "/identity/connect/token/"];
        for (var i = 0; i < 10; i++)
        {
            using var guess = await attacker.PostFormAsync(spellings[i % spellings.Length], Payloads.PasswordGrant(Fake.Email(), Fake.MasterPasswordHash(), Fake.DeviceIdentifier()));
            AbuseApi.AssertNotLimited(guess);
        }

        using var limited = await attacker.PostFormAsync("/Identity/Connect/TOKEN/", Payloads.PasswordGrant(Fake.Email(), Fake.MasterPasswordHash(), Fake.DeviceIdentifier()));

        await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
    }

    [Fact]
    public async Task RateLimit_MalformedTokenRequests_SpendTheLoginBudget()
    {
        var attacker = factory.ClientFrom(AbuseApi.Address(7));
        for (var i = 0; i < 10; i++)
        {
            using var malformed = await attacker.PostFormAsync(IdentityApi.TokenUrl, [new("grant_type", "password")]);
            await malformed.ExpectStatusAsync(HttpStatusCode.BadRequest);
        }

        using var limited = await AbuseApi.WrongPasswordAsync(attacker, Fake.Email());

        await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
    }

    [Fact]
    public async Task RefreshGrant_IsLimitedPerAddress_ApartFromTheLoginBudget()
    {
        var client = factory.ClientFrom(AbuseApi.Address(8));
        for (var i = 0; i < 60; i++)
        {
            using var refresh = await IdentityApi.RefreshAsync(client, Fake.Base64(32));
            await refresh.ExpectStatusAsync(HttpStatusCode.BadRequest);
        }

        using var limited = await IdentityApi.RefreshAsync(client, Fake.Base64(32));
        using var login = await AbuseApi.WrongPasswordAsync(client, Fake.Email());

        await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
        await login.ExpectStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Prelogin_FloodFromOneAddress_Gets429After30PerMinute()
    {
        var client = factory.ClientFrom(AbuseApi.Address(9));
        for (var i = 0; i < 30; i++)
        {
            using var prelogin = await AbuseApi.PreloginAsync(client, Fake.Email());
            await prelogin.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var limited = await AbuseApi.PreloginAsync(client, Fake.Email());
        using var legacy = await client.PostJsonAsync(IdentityApi.LegacyPreloginUrl, new JsonObject { ["email"] = Fake.Email() });

        await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
        await legacy.ExpectTooManyRequestsAsync(maxSeconds: 60);
    }

    [Fact]
    public async Task Prelogin_OneEmailFromManyAddresses_IsLimitedPerAccountWhetherOrNotItExists()
    {
        var account = await TestAccount.CreateAsync(factory);
        foreach (var email in new[] { account.Email, Fake.Email() })
        {
            for (var i = 0; i < 20; i++)
            {
                using var prelogin = await AbuseApi.PreloginAsync(factory.ClientFrom(AbuseApi.Address(100 + i)), email);
                await prelogin.ExpectStatusAsync(HttpStatusCode.OK);
            }

            // Upper case and spaces name the same account.
            using var limited = await AbuseApi.PreloginAsync(factory.ClientFrom(AbuseApi.Address(130)), "  " + email.ToUpperInvariant());
            await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
        }
    }

    [Fact]
    public async Task Registration_FloodFromOneAddress_Gets429WithAnHourlyRetryAfter()
    {
        var client = factory.ClientFrom(AbuseApi.Address(10));
        for (var i = 0; i < 10; i++)
        {
            using var start = await client.PostJsonAsync(IdentityApi.SendVerificationEmail, new JsonObject { ["email"] = Fake.Email(), ["name"] = "x" });
            await start.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var limited = await client.PostJsonAsync(IdentityApi.RegisterFinishUrl, Payloads.RegisterFinish(Credentials.New(), "token"));
        using var legacy = await client.PostJsonAsync(IdentityApi.LegacyRegisterUrl, Payloads.LegacyRegister(Credentials.New()));

        var seconds = await limited.ExpectTooManyRequestsAsync(maxSeconds: 3600);
        Assert.True(seconds > 60, $"Retry-After {seconds} s for an hourly window");
        await legacy.ExpectTooManyRequestsAsync(maxSeconds: 3600);
    }

    [Fact]
    public async Task TwoFactorRoutes_ShareTheGroupsBudget_ThreePerMinute()
    {
        var client = factory.ClientFrom(AbuseApi.Address(11));
        string[] routes = ["/api/two-factor/get-recover", "/api/two-factor/authenticator", "/api/Two-Factor/get-authenticator"];
        foreach (var route in routes)
        {
            using var attempt = await client.PostJsonAsync(route, new JsonObject { ["email"] = Fake.Email(), ["masterPasswordHash"] = Fake.MasterPasswordHash() });
            AbuseApi.AssertNotLimited(attempt);
        }

        using var limited = await client.PostJsonAsync("/api/two-factor/disable", new JsonObject { ["email"] = Fake.Email() });

        await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
    }

    [Fact]
    public async Task BruteForce_TwoFactorCodes_AtTheTokenEndpoint_AreLimitedToThreePerMinute()
    {
        var client = factory.ClientFrom(AbuseApi.Address(12));
        var email = Fake.Email();
        for (var i = 0; i < 4; i++)
        {
            var form = Payloads.PasswordGrant(email, Fake.MasterPasswordHash(), Fake.DeviceIdentifier());
            form["twoFactorToken"] = $"{i:D6}";
            form["twoFactorProvider"] = "0";
            using var attempt = await client.PostFormAsync(IdentityApi.TokenUrl, form);
            if (i < 3)
            {
                AbuseApi.AssertNotLimited(attempt);
            }
            else
            {
                await attempt.ExpectTooManyRequestsAsync(maxSeconds: 60);
            }
        }
    }

    [Fact]
    public async Task RateLimit_AfterTheWindow_AllowsAgain()
    {
        await using var server = new CofferFactory().WithProductionLimits();
        var attacker = server.ClientFrom(AbuseApi.Address(13));
        for (var i = 0; i < 10; i++)
        {
            using var guess = await AbuseApi.WrongPasswordAsync(attacker, Fake.Email());
        }

        using (var limited = await AbuseApi.WrongPasswordAsync(attacker, Fake.Email()))
        {
            await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
        }

        server.Clock.Advance(TimeSpan.FromSeconds(61));
        using var again = await AbuseApi.WrongPasswordAsync(attacker, Fake.Email());

        await again.ExpectStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Ipv6_AddressesInOneSlash64_ShareABudget()
    {
        for (var i = 0; i < 10; i++)
        {
            using var guess = await AbuseApi.WrongPasswordAsync(factory.ClientFrom(IPAddress.Parse($"2001:db8:1:2::{i + 1:x}")), Fake.Email());
            AbuseApi.AssertNotLimited(guess);
        }

        using var limited = await AbuseApi.WrongPasswordAsync(factory.ClientFrom(IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff")), Fake.Email());
        using var otherNetwork = await AbuseApi.WrongPasswordAsync(factory.ClientFrom(IPAddress.Parse("2001:db8:1:3::1")), Fake.Email());

        await limited.ExpectTooManyRequestsAsync(maxSeconds: 60);
        await otherNetwork.ExpectStatusAsync(HttpStatusCode.BadRequest);
    }

    /// <summary>The server with Coffer's default limits.</summary>
    public sealed class DefaultLimitsFactory : IAsyncLifetime
    {
        public CofferFactory Factory { get; } = new CofferFactory().WithProductionLimits();

        public Task InitializeAsync() => Task.CompletedTask;

        public Task DisposeAsync() => Factory.DisposeAsync().AsTask();
    }
}
