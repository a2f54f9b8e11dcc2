using System.Net;
using System.Text.Json.Nodes;
using Coffer.Protocol.Crypto;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.TwoFactor;

/// <summary>The two-factor calls as the web vault makes them (account doc §2.3–§2.5), and a clock the codes follow.</summary>
public static class TwoFactorApi
{
    public const string GetAuthenticatorUrl = "/api/two-factor/get-authenticator";
    public const string AuthenticatorUrl = "/api/two-factor/authenticator";
    public const string GetRecoverUrl = "/api/two-factor/get-recover";

    /// <summary>
    /// Moves the server's clock to one second into a fresh 30-second step, so a test that computes codes has
    /// 29 seconds before a real-time step boundary could shift them.
    /// </summary>
    public static void AlignClock(CofferFactory factory)
    {
        var intoStep = factory.Clock.GetUtcNow().ToUnixTimeMilliseconds() % (Totp.StepSeconds * 1000);
        factory.Clock.Advance(TimeSpan.FromMilliseconds((Totp.StepSeconds * 1000) - intoStep + 1000));
    }

    /// <summary>The code for the server's current step plus <paramref name="steps"/>.</summary>
    public static string Code(CofferFactory factory, string key, int steps = 0) =>
        Totp.Compute(Base32.Decode(key), factory.Clock.GetUtcNow().AddSeconds(steps * Totp.StepSeconds));

    /// <summary>A well-formed code that is valid for none of the steps the server accepts now.</summary>
    public static string WrongCode(CofferFactory factory, string key)
    {
        var valid = new[] { -1, 0, 1 }.Select(s => Code(factory, key, s)).ToHashSet();
        return Enumerable.Range(0, 4).Select(i => (i * 111_111).ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }

    public static async Task<JsonObject> GetAuthenticatorAsync(TestAccount account)
    {
        using var response = await account.Client.PostJsonAsync(GetAuthenticatorUrl, new JsonObject { ["masterPasswordHash"] = account.Credentials.MasterPasswordHash });
        return await response.ExpectObjectAsync();
    }

    /// <summary>Turns TOTP on the way the current web vault does; returns the key. Leaves the clock aligned, the enabling step used.</summary>
    public static async Task<string> EnableAsync(TestAccount account)
    {
        AlignClock(account.Factory);
        var setup = await GetAuthenticatorAsync(account);
        var key = setup["authenticator"].RequireString("key");
        using var response = await account.Client.PutJsonAsync(AuthenticatorUrl, new JsonObject
        {
            ["token"] = Code(account.Factory, key),
            ["key"] = key,
            ["userVerificationToken"] = setup.RequireString("userVerificationToken"),
        });
        await response.ExpectObjectAsync();
        return key;
    }

    public static async Task<string> RecoveryCodeAsync(TestAccount account)
    {
        using var response = await account.Client.PostJsonAsync(GetRecoverUrl, new JsonObject { ["masterPasswordHash"] = account.Credentials.MasterPasswordHash });
        return (await response.ExpectObjectAsync()).RequireString("code");
    }

    /// <summary>The CLI's password grant plus the 2FA fields in its order (protocol §4.3.1); <paramref name="via"/> another server on the account's database.</summary>
    public static Task<HttpResponseMessage> LoginAsync(
        TestAccount account, string? provider = null, string? token = null, string remember = "0", string? device = null, string? password = null, CofferFactory? via = null)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("scope", "api offline_access"),
            new("client_id", "web"),
            new("deviceType", "9"),
            new("deviceIdentifier", device ?? account.DeviceIdentifier),
            new("deviceName", "chrome"),
        };
        if (provider is not null && token is not null)
        {
            form.Add(new("twoFactorToken", token));
            form.Add(new("twoFactorProvider", provider));
            form.Add(new("twoFactorRemember", remember));
        }

        form.Add(new("grant_type", "password"));
        form.Add(new("username", account.Email));
        form.Add(new("password", password ?? account.Credentials.MasterPasswordHash));
        return (via ?? account.Factory).CreateClient().PostFormAsync(IdentityApi.TokenUrl, form);
    }

    /// <summary>Asserts a successful grant and returns it.</summary>
    public static async Task<JsonObject> ExpectLoginAsync(this Task<HttpResponseMessage> login)
    {
        using var response = await login;
        return await response.ExpectObjectAsync(HttpStatusCode.OK);
    }

    /// <summary>Asserts the 2FA challenge (protocol §4.3.3) and returns its raw text.</summary>
    public static async Task<string> ExpectChallengeAsync(this Task<HttpResponseMessage> login)
    {
        using var response = await login;
        var challenge = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.True(challenge["TwoFactorProviders2"] is JsonObject { Count: > 0 }, $"not a 2FA challenge: {challenge.ToJsonString()}");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Asserts the refusal of a bad second factor with the text the web vault matches on (account doc §2.4).</summary>
    public static async Task ExpectInvalidTokenAsync(this Task<HttpResponseMessage> login)
    {
        using var response = await login;
        var error = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Two-step token is invalid. Try again.", (string?)error["ErrorModel"]?["Message"]);
        Assert.Equal("invalid_grant", (string?)error["error"]);
        Assert.False(error.ContainsKey("TwoFactorProviders2"));
    }

    public static async Task WithDbAsync(CofferFactory factory, Func<CofferDb, Task> action)
    {
        using var scope = factory.Services.CreateScope();
        await action(scope.ServiceProvider.GetRequiredService<CofferDb>());
    }

    /// <summary>The audit event types recorded for the account, oldest first.</summary>
    public static async Task<List<int>> EventTypesAsync(TestAccount account)
    {
        List<int> types = [];
        await WithDbAsync(account.Factory, async db => types = await db.AuditEvents.Where(e => e.UserId == Guid.Parse(account.UserId))
            .OrderBy(e => e.Sequence).Select(e => (int)e.Type).ToListAsync());
        return types;
    }
}
