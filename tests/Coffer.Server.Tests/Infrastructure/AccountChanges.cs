using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>Bodies of the account-security routes as the clients send them (account doc §3), and checks on their effects.</summary>
public static class AccountChanges
{
    public const string PasswordUrl = "/api/accounts/password";
    public const string KdfUrl = "/api/accounts/kdf";
    public const string SecurityStampUrl = "/api/accounts/security-stamp";
    public const string VerifyPasswordUrl = "/api/accounts/verify-password";
    public const string RotationDataUrl = "/api/accounts/key-management/key-rotation-data";
    public const string RotateUrl = "/api/accounts/key-management/rotate-user-account-keys";
    public const string EmailTokenUrl = "/api/accounts/email-token";
    public const string EmailUrl = "/api/accounts/email";

    /// <summary>§3.1 shape (a), or with <paramref name="objects"/> shape (b) with the legacy fields filled too.</summary>
    public static JsonObject Password(TestAccount account, string newHash, string newKey, bool objects, string? hint = null)
    {
        var body = new JsonObject
        {
            ["masterPasswordHash"] = account.Credentials.MasterPasswordHash,
            ["newMasterPasswordHash"] = newHash,
            ["masterPasswordHint"] = hint,
            ["key"] = newKey,
        };
        if (objects)
        {
            body["authenticationData"] = new JsonObject
            {
                ["salt"] = account.Credentials.Salt,
                ["kdf"] = account.Credentials.Kdf.ToObject(),
                ["masterPasswordAuthenticationHash"] = newHash,
            };
            body["unlockData"] = new JsonObject
            {
                ["salt"] = account.Credentials.Salt,
                ["kdf"] = account.Credentials.Kdf.ToObject(),
                ["masterKeyWrappedUserKey"] = newKey,
            };
        }

        return body;
    }

    /// <summary>§3.2 as the SDK sends it.</summary>
    public static JsonObject KdfChange(TestAccount account, Kdf kdf, string newHash, string newKey) => new()
    {
        ["masterPasswordHash"] = account.Credentials.MasterPasswordHash,
        ["authenticationData"] = new JsonObject
        {
            ["kdf"] = kdf.ToObject(),
            ["masterPasswordAuthenticationHash"] = newHash,
            ["salt"] = account.Credentials.Salt,
        },
        ["unlockData"] = new JsonObject
        {
            ["kdf"] = kdf.ToObject(),
            ["masterKeyWrappedUserKey"] = newKey,
            ["salt"] = account.Credentials.Salt,
        },
    };

    public static JsonObject Secret(string hash) => new() { ["masterPasswordHash"] = hash };

    /// <summary>The old token pair no longer works: the access token gets 401, the refresh token invalid_grant.</summary>
    public static async Task AssertSessionEndedAsync(TestAccount account)
    {
        using (var sync = await account.Client.GetAsync("/api/sync"))
        {
            await sync.ExpectStatusAsync(HttpStatusCode.Unauthorized);
        }

        using var refresh = await IdentityApi.RefreshAsync(account.Factory.Anonymous(), account.RefreshToken);
        var error = await refresh.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", (string?)error["error"]);
    }

    public static async Task AssertSessionAliveAsync(TestAccount account)
    {
        using var sync = await account.Client.GetAsync("/api/sync");
        await sync.ExpectStatusAsync(HttpStatusCode.OK);
    }

    /// <summary>The password grant with this e-mail and hash: the token response, or null on invalid_grant.</summary>
    public static async Task<JsonObject?> TryLoginAsync(CofferFactory factory, string email, string hash)
    {
        using var response = await IdentityApi.PasswordGrantAsync(factory.Anonymous(), email, hash, Fake.DeviceIdentifier());
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var error = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
            Assert.Equal("invalid_grant", (string?)error["error"]);
            return null;
        }

        return await response.ExpectObjectAsync();
    }

    /// <summary>The audit event types recorded for a user, oldest first (read straight from the database).</summary>
    public static async Task<List<EventType>> AuditEventsAsync(CofferFactory factory, string userId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var id = Guid.Parse(userId);
        return await db.AuditEvents.AsNoTracking().Where(e => e.UserId == id).OrderBy(e => e.Sequence).Select(e => e.Type).ToListAsync();
    }

    /// <summary>Runs <paramref name="query"/> against the server's database.</summary>
    public static async Task<T> QueryAsync<T>(CofferFactory factory, Func<CofferDb, Task<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CofferDb>());
    }
}
