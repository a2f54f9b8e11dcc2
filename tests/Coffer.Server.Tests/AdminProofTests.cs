using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.TwoFactor;

namespace Coffer.Server.Tests;

/// <summary>
/// Admin elevation (SECURITY.md, "Administration"): an access token alone never carries admin power; every
/// <c>/admin/api</c> action needs a proof from <c>POST /admin/api/session</c> made within the last 5 minutes,
/// bound to the admin's session; by default only an account with two-step login may act as admin.
/// </summary>
public sealed class AdminProofTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private const string ProofRequired = "urn:coffer:problem:admin-proof-required";
    private const string TwoFactorRequired = "urn:coffer:problem:admin-two-factor-required";

    [Fact]
    public async Task AdminAction_WithOnlyTheAdminsAccessToken_Returns401AskingForAProof()
    {
        var admin = await factory.CreateAdminAsync(prove: false);

        using var response = await admin.Client.GetAsync("/admin/api/users");

        var problem = await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(ProofRequired, (string?)problem["type"]);
        Assert.Equal("admin_proof_required", (string?)problem["code"]);
        var challenge = string.Join(",", response.Headers.GetValues("WWW-Authenticate"));
        Assert.Contains("error=\"insufficient_user_authentication\"", challenge, StringComparison.Ordinal);
        Assert.Contains("max_age=300", challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminAction_WithFreshProof_IsAccepted()
    {
        var admin = await factory.CreateAdminAsync(prove: false);
        using (var elevate = await admin.RequestProofAsync())
        {
            var session = await elevate.ExpectObjectAsync();
            admin.Client.UseAdminProof(session.RequireString("proof"));
            var expires = session.RequireUtcDate("expiresAt");
            Assert.InRange(expires - factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(4.9), TimeSpan.FromMinutes(5));
        }

        using var response = await admin.Client.GetAsync("/admin/api/users");

        await response.ExpectJsonAsync();
    }

    [Fact]
    public async Task AdminAction_WithProofOlderThanFiveMinutes_Returns401AskingForAProof()
    {
        await using var own = new CofferFactory();
        var admin = await own.CreateAdminAsync();
        own.Clock.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(50));
        using (var stillFresh = await admin.Client.GetAsync("/admin/api/settings"))
        {
            await stillFresh.ExpectJsonAsync();
        }

        own.Clock.Advance(TimeSpan.FromSeconds(11));
        using var stale = await admin.Client.GetAsync("/admin/api/settings");

        Assert.Equal(ProofRequired, (string?)(await stale.ExpectProblemAsync(HttpStatusCode.Unauthorized))["type"]);
        await admin.ProveAdminAsync();
        using var again = await admin.Client.GetAsync("/admin/api/settings");
        await again.ExpectJsonAsync();
    }

    [Fact]
    public async Task AdminProof_OfAnotherAdmin_IsRefused()
    {
        var admin = await factory.CreateAdminAsync(prove: false);
        var other = await factory.CreateAdminAsync();
        admin.Client.UseAdminProof(await other.ProveAdminAsync());

        using var response = await admin.Client.GetAsync("/admin/api/users");

        Assert.Equal(ProofRequired, (string?)(await response.ExpectProblemAsync(HttpStatusCode.Unauthorized))["type"]);
    }

    [Fact]
    public async Task AdminProof_FromAnotherDeviceOfTheSameAdmin_IsRefused()
    {
        var (admin, key) = await CreateAdminWithKeyAsync();
        var proof = await admin.ProveAdminAsync();
        var secondDevice = factory.Anonymous();
        UseOnFreshLogin(secondDevice, await LoginWithCodeAsync(admin, key, Fake.DeviceIdentifier()), proof);

        using var response = await secondDevice.GetAsync("/admin/api/users");

        Assert.Equal(ProofRequired, (string?)(await response.ExpectProblemAsync(HttpStatusCode.Unauthorized))["type"]);
    }

    [Fact]
    public async Task AdminProof_AfterSecurityStampChange_IsRefused()
    {
        var (admin, key) = await CreateAdminWithKeyAsync();
        var proof = await admin.ProveAdminAsync();
        using (var everywhere = await admin.Client.PostJsonAsync("/api/accounts/security-stamp", new JsonObject { ["masterPasswordHash"] = admin.Credentials.MasterPasswordHash }))
        {
            await everywhere.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var client = factory.Anonymous();
        UseOnFreshLogin(client, await LoginWithCodeAsync(admin, key, admin.DeviceIdentifier), proof);
        using var response = await client.GetAsync("/admin/api/users");

        Assert.Equal(ProofRequired, (string?)(await response.ExpectProblemAsync(HttpStatusCode.Unauthorized))["type"]);
    }

    [Fact]
    public async Task AdminProof_AfterAdminRevoke_IsRefused()
    {
        var admin = await factory.CreateAdminAsync();

        var result = await ServerCommand.RunAsync(factory.DataFolder, "admin", "revoke", admin.Email);
        Assert.Equal(0, result.ExitCode);

        using var response = await admin.Client.GetAsync("/admin/api/users");
        await response.ExpectProblemAsync(HttpStatusCode.Forbidden);
        using var elevate = await admin.RequestProofAsync();
        await elevate.ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Elevation_ByANonAdmin_Returns403()
    {
        var user = await TestAccount.CreateAsync(factory);
        await TwoFactorApi.EnableAsync(user);

        using var response = await user.RequestProofAsync();

        await response.ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("the access token")]
    [InlineData("a forged proof")]
    public async Task AdminProof_ThatIsNotAProof_IsRefused(string what)
    {
        var admin = await factory.CreateAdminAsync(prove: false);
        admin.Client.UseAdminProof(what == "the access token" ? admin.AccessToken : "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.");

        using var response = await admin.Client.GetAsync("/admin/api/users");

        Assert.Equal(ProofRequired, (string?)(await response.ExpectProblemAsync(HttpStatusCode.Unauthorized))["type"]);
    }

    [Fact]
    public async Task AdminProof_AsBearerToken_IsNotAnAccessToken()
    {
        var admin = await factory.CreateAdminAsync(prove: false);
        var client = factory.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await admin.ProveAdminAsync());

        using var admins = await client.GetAsync("/admin/api/users");
        using var sync = await client.GetAsync("/api/sync");

        await admins.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, sync.StatusCode);
    }

    [Fact]
    public async Task Elevation_WithWrongMasterPassword_CountsIntoTheLoginLockout()
    {
        await using var own = new CofferFactory();
        own.Settings["Coffer:RateLimits:LockoutFailures"] = "3";
        var admin = await own.CreateAdminAsync(prove: false);
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await admin.RequestProofAsync(Fake.MasterPasswordHash());
            await wrong.ExpectProblemAsync(HttpStatusCode.BadRequest);
        }

        using var right = await admin.RequestProofAsync();
        using var login = await IdentityApi.PasswordGrantAsync(own.Anonymous(), admin.Email, admin.Credentials.MasterPasswordHash, admin.DeviceIdentifier);

        await right.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(AbuseApi.LockoutMessage, (string?)(await login.ExpectObjectAsync(HttpStatusCode.BadRequest))["ErrorModel"]?["Message"]);
        var types = await TwoFactorApi.EventTypesAsync(admin);
        Assert.Equal(3, types.Count(t => t == 9110));
        Assert.Contains(9001, types);
    }

    [Fact]
    public async Task Elevation_WithCurrentTotpCode_IsAccepted_AndTheSameCodeNotTwice()
    {
        var (admin, key) = await CreateAdminWithKeyAsync();
        var code = TwoFactorApi.Code(factory, key, 1); // the enabling step is used; the next one is accepted

        await admin.ProveAdminAsync(otp: code);
        using var users = await admin.Client.GetAsync("/admin/api/users");
        using var replay = await admin.RequestProofAsync(otp: code);

        await users.ExpectJsonAsync();
        await replay.ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Elevation_WithRightPasswordButWrongCode_IsRefused()
    {
        var (admin, key) = await CreateAdminWithKeyAsync();

        using var response = await admin.RequestProofAsync(admin.Credentials.MasterPasswordHash, TwoFactorApi.WrongCode(factory, key));

        await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Elevation_IsAudited_WithTheAdminAndItsDevice()
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await admin.Client.GetAsync($"/admin/api/events?userId={admin.UserId}");
        var page = await response.ExpectObjectAsync();

        var proved = page.RequireArray("data").First(e => (int)e!["type"]! == 9109)!;
        Assert.Equal(admin.UserId, (string?)proved["actingUserId"]);
        Assert.Equal("master password", (string?)proved["detail"]);
        Assert.NotNull((string?)proved["deviceId"]);
    }

    [Fact]
    public async Task RequireTwoFactor_ByDefault_RefusesAnAdminWithoutTwoStepLogin()
    {
        var admin = await factory.CreateAdminAsync(twoFactor: false, prove: false);

        using var elevate = await admin.RequestProofAsync();
        using var action = await admin.Client.GetAsync("/admin/api/users");

        Assert.Equal(TwoFactorRequired, (string?)(await elevate.ExpectProblemAsync(HttpStatusCode.Forbidden))["type"]);
        Assert.Equal(TwoFactorRequired, (string?)(await action.ExpectProblemAsync(HttpStatusCode.Forbidden))["type"]);
    }

    [Fact]
    public async Task RequireTwoFactor_ByDefault_AcceptsAnAdminWithTwoStepLogin()
    {
        var admin = await factory.CreateAdminAsync(twoFactor: true);

        using var response = await admin.Client.GetAsync("/admin/api/audit/verify");

        Assert.True((bool?)(await response.ExpectObjectAsync())["intact"]);
    }

    [Fact]
    public async Task RequireTwoFactor_TurnedOff_AcceptsAnAdminWithoutTwoStepLogin_WhoStillNeedsAProof()
    {
        await using var own = new CofferFactory();
        own.Settings["Coffer:Admin:RequireTwoFactor"] = "false";
        var admin = await own.CreateAdminAsync(twoFactor: false, prove: false);
        using (var unproved = await admin.Client.GetAsync("/admin/api/users"))
        {
            await unproved.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        }

        await admin.ProveAdminAsync();
        using var response = await admin.Client.GetAsync("/admin/api/users");

        await response.ExpectJsonAsync();
    }

    /// <summary>An admin with two-step login, not yet elevated, and its TOTP key.</summary>
    private async Task<(TestAccount Admin, string Key)> CreateAdminWithKeyAsync()
    {
        var admin = await TestAccount.CreateAsync(factory);
        var key = await TwoFactorApi.EnableAsync(admin);
        await factory.SetAdminAsync(admin.UserId, true);
        return (admin, key);
    }

    private static void UseOnFreshLogin(HttpClient client, string accessToken, string proof)
    {
        client.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        client.UseAdminProof(proof);
    }

    /// <summary>A password grant with the next TOTP step's code (the current one may be used already).</summary>
    private static async Task<string> LoginWithCodeAsync(TestAccount admin, string key, string device)
    {
        var login = await TwoFactorApi.LoginAsync(admin, "0", TwoFactorApi.Code(admin.Factory, key, 1), device: device).ExpectLoginAsync();
        return login.RequireString("access_token");
    }
}
