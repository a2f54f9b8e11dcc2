using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// The failed-login lockout with its defaults (10 failures in 15 minutes lock an e-mail for 15 minutes). The
/// rate limits stay roomy here so that the lockout, not a 429, is what answers. Every test uses its own e-mails.
/// </summary>
public sealed class LockoutTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private const int Failures = 10;

    private readonly HttpClient client = factory.CreateClient();

    [Fact]
    public async Task BruteForce_HitsLockout_SameAnswerForUnknownAccount()
    {
        var account = await TestAccount.CreateAsync(factory);
        var unknown = Fake.Email();
        await FailAsync(account.Email, Failures);
        await FailAsync(unknown, Failures);

        using var lockedKnown = await AbuseApi.WrongPasswordAsync(client, account.Email);
        using var lockedUnknown = await AbuseApi.WrongPasswordAsync(client, unknown);

        var knownBody = await lockedKnown.ExpectObjectAsync(HttpStatusCode.BadRequest);
        var unknownBody = await lockedUnknown.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.True(JsonNode.DeepEquals(knownBody, unknownBody), $"{knownBody.ToJsonString()} vs {unknownBody.ToJsonString()}");
        Assert.Equal("invalid_grant", (string?)knownBody["error"]);
        Assert.Equal(AbuseApi.LockoutMessage, (string?)knownBody["ErrorModel"]?["Message"]);
        Assert.Equal(AbuseApi.LockoutMessage, (string?)knownBody["message"]);
    }

    [Fact]
    public async Task BruteForce_Lockout_RefusesEvenTheRightPassword()
    {
        var account = await TestAccount.CreateAsync(factory);
        await FailAsync(account.Email, Failures);

        using var rightPassword = await LoginAsync(account);

        var body = await rightPassword.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(AbuseApi.LockoutMessage, (string?)body["message"]);
        Assert.Null(body["access_token"]);
    }

    [Fact]
    public async Task BruteForce_NineFailures_DoNotLock()
    {
        var account = await TestAccount.CreateAsync(factory);
        await FailAsync(account.Email, Failures - 1);

        using var rightPassword = await LoginAsync(account);

        await rightPassword.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Lockout_TenthFailure_IsStillAnsweredAsAWrongPassword()
    {
        var email = Fake.Email();
        await FailAsync(email, Failures - 1);

        using var tenth = await AbuseApi.WrongPasswordAsync(client, email);
        using var eleventh = await AbuseApi.WrongPasswordAsync(client, email);

        Assert.Equal("Username or password is incorrect. Try again.", (string?)(await tenth.ExpectObjectAsync(HttpStatusCode.BadRequest))["message"]);
        Assert.Equal(AbuseApi.LockoutMessage, (string?)(await eleventh.ExpectObjectAsync(HttpStatusCode.BadRequest))["message"]);
    }

    [Fact]
    public async Task Lockout_SuccessfulLogin_ResetsTheCount()
    {
        var account = await TestAccount.CreateAsync(factory);
        await FailAsync(account.Email, Failures - 1);
        using (var success = await LoginAsync(account))
        {
            await success.ExpectStatusAsync(HttpStatusCode.OK);
        }

        await FailAsync(account.Email, Failures - 1);
        using var again = await LoginAsync(account);

        await again.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Lockout_KeyedByNormalizedEmail_CaseAndSpacesDoNotEscapeIt()
    {
        var account = await TestAccount.CreateAsync(factory);
        for (var i = 0; i < Failures; i++)
        {
            var spelling = i % 2 == 0 ? account.Email.ToUpperInvariant() : $"  {account.Email} ";
            using var guess = await AbuseApi.WrongPasswordAsync(client, spelling);
        }

        using var locked = await LoginAsync(account);

        Assert.Equal(AbuseApi.LockoutMessage, (string?)(await locked.ExpectObjectAsync(HttpStatusCode.BadRequest))["message"]);
    }

    [Fact]
    public async Task Lockout_DoesNotEndExistingSessions()
    {
        var account = await TestAccount.CreateAsync(factory);
        await FailAsync(account.Email, Failures);

        using var refresh = await IdentityApi.RefreshAsync(client, account.RefreshToken);
        using var sync = await account.Client.GetAsync("/api/sync");

        await refresh.ExpectStatusAsync(HttpStatusCode.OK);
        await sync.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Lockout_WritesAuditEvent9001Once()
    {
        var account = await TestAccount.CreateAsync(factory);
        await FailAsync(account.Email, Failures + 3);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var userId = Guid.Parse(account.UserId);
        var events = await db.AuditEvents.AsNoTracking().Where(e => e.UserId == userId).Select(e => e.Type).ToListAsync();
        Assert.Equal(1, events.Count(t => t == EventType.UserLockedOut));
        // Attempts refused while locked never reach the password check, so they are not failed logins either.
        Assert.Equal(Failures, events.Count(t => t == EventType.UserFailedLogIn));
    }

    [Fact]
    public async Task Lockout_ExpiresAfterUnlockTime()
    {
        await using var server = new CofferFactory();
        var account = await TestAccount.CreateAsync(server);
        var anonymous = server.CreateClient();
        for (var i = 0; i < Failures; i++)
        {
            using var guess = await AbuseApi.WrongPasswordAsync(anonymous, account.Email);
        }

        server.Clock.Advance(TimeSpan.FromMinutes(14));
        using (var stillLocked = await LoginAsync(account, anonymous))
        {
            Assert.Equal(AbuseApi.LockoutMessage, (string?)(await stillLocked.ExpectObjectAsync(HttpStatusCode.BadRequest))["message"]);
        }

        server.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        using var unlocked = await LoginAsync(account, anonymous);

        await unlocked.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Lockout_FailuresSpreadBeyondTheWindow_DoNotLock()
    {
        await using var server = new CofferFactory();
        var account = await TestAccount.CreateAsync(server);
        var anonymous = server.CreateClient();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < Failures - 1; i++)
            {
                using var guess = await AbuseApi.WrongPasswordAsync(anonymous, account.Email);
            }

            server.Clock.Advance(TimeSpan.FromMinutes(16));
        }

        using var login = await LoginAsync(account, anonymous);

        await login.ExpectStatusAsync(HttpStatusCode.OK);
    }

    private async Task FailAsync(string email, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var guess = await AbuseApi.WrongPasswordAsync(client, email);
            await guess.ExpectStatusAsync(HttpStatusCode.BadRequest);
        }
    }

    private Task<HttpResponseMessage> LoginAsync(TestAccount account, HttpClient? via = null) =>
        IdentityApi.PasswordGrantAsync(via ?? client, account.Email, account.Credentials.MasterPasswordHash, Fake.DeviceIdentifier());
}
