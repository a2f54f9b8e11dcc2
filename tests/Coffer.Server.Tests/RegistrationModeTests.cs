using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// Registration modes (open, invite, closed) on all three sign-up routes, and invitations: one e-mail, one use,
/// seven days. Each test sets the mode it needs first: the mode is server-wide and the class shares a server.
/// </summary>
public sealed class RegistrationModeTests(CofferFactory factory) : IClassFixture<CofferFactory>, IAsyncLifetime
{
    private const string ClosedMessage = "Registration is closed on this server.";

    /// <summary>Back to the configured default (open) before each test, so its admin can sign up.</summary>
    public async Task InitializeAsync()
    {
        factory.CreateClient().Dispose();
        using var db = factory.OpenDatabase();
        await db.ExecuteAsync("DELETE FROM server_settings");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ClosedMode_RefusesEveryRegistrationRoute_AndConfigSaysSo()
    {
        var admin = await factory.CreateAdminAsync();
        var client = factory.Anonymous();
        var token = await IdentityApi.RequestRegistrationTokenAsync(client, Fake.Email());
        await admin.SetRegistrationModeAsync("closed");
        var account = Credentials.New();

        using var start = await client.PostJsonAsync(IdentityApi.SendVerificationEmail, new JsonObject { ["email"] = account.Email });
        using var finish = await client.PostJsonAsync(IdentityApi.RegisterFinishUrl, Payloads.RegisterFinish(account, token));
        using var legacy = await client.PostJsonAsync(IdentityApi.LegacyRegisterUrl, Payloads.LegacyRegister(account));

        foreach (var response in new[] { start, finish, legacy })
        {
            var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Equal(ClosedMessage, (string?)error["message"]);
        }

        using var config = await client.GetAsync("/api/config");
        Assert.True((bool?)(await config.ExpectObjectAsync())["settings"]!["disableUserRegistration"]);
        await admin.SetRegistrationModeAsync("open");
        using var reopened = await client.GetAsync("/api/config");
        Assert.False((bool?)(await reopened.ExpectObjectAsync())["settings"]!["disableUserRegistration"]);
    }

    [Fact]
    public async Task InviteMode_RegistrationWithoutInvite_Returns400()
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("invite");
        var client = factory.Anonymous();
        var account = Credentials.New();
        var token = await IdentityApi.RequestRegistrationTokenAsync(client, account.Email);

        using var finish = await client.PostJsonAsync(IdentityApi.RegisterFinishUrl, Payloads.RegisterFinish(account, token));
        using var legacy = await client.PostJsonAsync(IdentityApi.LegacyRegisterUrl, Payloads.LegacyRegister(account));

        await finish.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await legacy.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AssertCannotLogInAsync(account);
    }

    [Theory]
    [InlineData("inviteToken")]
    [InlineData("orgInviteToken")]
    public async Task InviteMode_FinishWithInvite_CreatesTheAccount(string field)
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("invite");
        var account = Credentials.New();
        var invite = await admin.InviteAsync(account.Email);
        var body = Payloads.RegisterFinish(account, null);
        body.Remove("emailVerificationToken");
        body[field] = invite;

        using var response = await factory.Anonymous().PostJsonAsync(IdentityApi.RegisterFinishUrl, body);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        await IdentityApi.LoginAsync(factory.Anonymous(), account, Fake.DeviceIdentifier());
        using var list = await admin.Client.GetAsync("/admin/api/invitations");
        var row = (await list.ExpectJsonAsync())!.AsArray().Single(i => (string?)i!["email"] == account.Email);
        Assert.Equal("used", (string?)row!["status"]);
        row.RequireUtcDate("usedDate");
    }

    [Fact]
    public async Task InviteMode_FinishWithInviteAndVerificationToken_CreatesTheAccount()
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("invite");
        var account = Credentials.New();
        var invite = await admin.InviteAsync(account.Email);
        var client = factory.Anonymous();
        var body = Payloads.RegisterFinish(account, await IdentityApi.RequestRegistrationTokenAsync(client, account.Email));
        body["inviteToken"] = invite;

        using var response = await client.PostJsonAsync(IdentityApi.RegisterFinishUrl, body);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task InviteMode_LegacyRouteWithInvite_CreatesTheAccount()
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("invite");
        var account = Credentials.New();
        var body = Payloads.LegacyRegister(account);
        body["inviteToken"] = await admin.InviteAsync(account.Email);

        using var response = await factory.Anonymous().PostJsonAsync(IdentityApi.LegacyRegisterUrl, body);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        await IdentityApi.LoginAsync(factory.Anonymous(), account, Fake.DeviceIdentifier());
    }

    [Fact]
    public async Task InviteMode_InviteReused_Returns400()
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("invite");
        var account = Credentials.New();
        var invite = await admin.InviteAsync(account.Email);
        var first = Payloads.LegacyRegister(account);
        first["inviteToken"] = invite;
        using (var ok = await factory.Anonymous().PostJsonAsync(IdentityApi.LegacyRegisterUrl, first))
        {
            await ok.ExpectStatusAsync(HttpStatusCode.OK);
        }

        // The same e-mail again would fail as a duplicate anyway; reuse must fail on the invitation itself.
        var again = Payloads.LegacyRegister(Credentials.New(email: account.Email));
        again["inviteToken"] = invite;
        using var response = await factory.Anonymous().PostJsonAsync(IdentityApi.LegacyRegisterUrl, again);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("invitation", (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task InviteMode_InviteForAnotherEmail_Returns400()
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("invite");
        var invite = await admin.InviteAsync(Fake.Email());
        var account = Credentials.New();
        var body = Payloads.LegacyRegister(account);
        body["inviteToken"] = invite;

        using var response = await factory.Anonymous().PostJsonAsync(IdentityApi.LegacyRegisterUrl, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AssertCannotLogInAsync(account);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-real-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task InviteMode_UnknownInviteToken_Returns400(string token)
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("invite");
        var account = Credentials.New();
        var body = Payloads.LegacyRegister(account);
        body["inviteToken"] = token;

        using var response = await factory.Anonymous().PostJsonAsync(IdentityApi.LegacyRegisterUrl, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task InviteMode_OversizedInviteToken_Returns400()
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("invite");
        var body = Payloads.LegacyRegister(Credentials.New());
        // Under the 16 KiB identity body limit (larger bodies are refused with 413 before any parsing).
        body["inviteToken"] = new string('a', 4_000);

        using var response = await factory.Anonymous().PostJsonAsync(IdentityApi.LegacyRegisterUrl, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task InviteMode_RevokedInvite_Returns400()
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("invite");
        var account = Credentials.New();
        var invite = await admin.InviteAsync(account.Email);
        using (var list = await admin.Client.GetAsync("/admin/api/invitations"))
        {
            var id = (string?)(await list.ExpectJsonAsync())!.AsArray().Single(i => (string?)i!["email"] == account.Email)!["id"];
            using var revoke = await admin.Client.DeleteAsync($"/admin/api/invitations/{id}");
            await revoke.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        var body = Payloads.LegacyRegister(account);
        body["inviteToken"] = invite;
        using var response = await factory.Anonymous().PostJsonAsync(IdentityApi.LegacyRegisterUrl, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task InviteMode_ExpiredInvite_Returns400()
    {
        await using var own = new CofferFactory();
        var admin = await own.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("invite");
        var account = Credentials.New();
        var invite = await admin.InviteAsync(account.Email);
        own.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        var body = Payloads.LegacyRegister(account);
        body["inviteToken"] = invite;

        using var response = await own.Anonymous().PostJsonAsync(IdentityApi.LegacyRegisterUrl, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task OpenMode_RegistersWithoutInvite()
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("open");
        var account = Credentials.New();

        await IdentityApi.RegisterAsync(factory.Anonymous(), account);

        await IdentityApi.LoginAsync(factory.Anonymous(), account, Fake.DeviceIdentifier());
    }

    [Fact]
    public async Task CreateInvitation_TokenShownOnce_AndStoredOnlyAsAHash()
    {
        var admin = await factory.CreateAdminAsync();
        var email = Fake.Email();

        var token = await admin.InviteAsync(email);

        Assert.True(token.Length >= 43, token);
        using var list = await admin.Client.GetAsync("/admin/api/invitations");
        var text = (await list.ExpectJsonAsync())!.ToJsonString();
        Assert.Contains(email, text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        using var db = factory.OpenDatabase();
        Assert.Equal(0, await db.ScalarAsync("SELECT COUNT(*) FROM invitations WHERE \"TokenHash\" = @t OR \"Email\" = @t", ("@t", token)));
        Assert.Equal(1, await db.ScalarAsync("SELECT COUNT(*) FROM invitations WHERE \"Email\" = @e", ("@e", email)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not an e-mail")]
    [InlineData("a@b@c")]
    public async Task CreateInvitation_WithoutValidEmail_Returns400Problem(string? email)
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await admin.Client.PostJsonAsync("/admin/api/invitations", new JsonObject { ["email"] = email });

        await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateInvitation_ForExistingAccount_Returns409Problem()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await TestAccount.CreateAsync(factory);

        using var response = await admin.Client.PostJsonAsync("/admin/api/invitations", new JsonObject { ["email"] = user.Email.ToUpperInvariant() });

        await response.ExpectProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task RevokeInvitation_Unknown_Returns404Problem()
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await admin.Client.DeleteAsync($"/admin/api/invitations/{Guid.NewGuid()}");

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{\"registrationMode\":\"OPEN\"}")]
    [InlineData("{\"registrationMode\":\"sometimes\"}")]
    [InlineData("{\"registrationMode\":null}")]
    [InlineData("{}")]
    [InlineData("{\"registrationMode\":1}")]
    public async Task PutSettings_InvalidMode_Returns400Problem(string json)
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await admin.Client.SendRawAsync(HttpMethod.Put, "/admin/api/settings", json);

        await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RegistrationMode_DefaultsToConfiguration_UntilAnAdminSetsIt()
    {
        await using var own = new CofferFactory();
        await using var configured = own.WithWebHostBuilder(b => b.UseSetting("Coffer:RegistrationMode", "closed"));
        using var start = await configured.CreateClient().PostJsonAsync(IdentityApi.SendVerificationEmail, new JsonObject { ["email"] = Fake.Email() });
        Assert.Equal(ClosedMessage, (string?)(await start.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest))["message"]);
    }

    [Fact]
    public async Task RegistrationMode_IsSharedByEveryServerOnTheDatabase()
    {
        var admin = await factory.CreateAdminAsync();
        await admin.SetRegistrationModeAsync("closed");
        try
        {
            await using var otherNode = CofferFactory.OnExistingFolder(factory.DataFolder);
            using var start = await otherNode.CreateClient().PostJsonAsync(IdentityApi.SendVerificationEmail, new JsonObject { ["email"] = Fake.Email() });
            Assert.Equal(ClosedMessage, (string?)(await start.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest))["message"]);
        }
        finally
        {
            await admin.SetRegistrationModeAsync("open");
        }
    }

    private async Task AssertCannotLogInAsync(Credentials account)
    {
        using var login = await IdentityApi.PasswordGrantAsync(factory.Anonymous(), account.Email, account.MasterPasswordHash, Fake.DeviceIdentifier());
        await login.ExpectObjectAsync(HttpStatusCode.BadRequest);
    }
}
