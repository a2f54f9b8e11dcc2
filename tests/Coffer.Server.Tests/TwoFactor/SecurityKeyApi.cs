using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.TwoFactor;

/// <summary>The security-key calls (provider 7) as the web vault makes them (<c>bitwarden-sharing-features.md</c> §5.2–§5.3).</summary>
public static class SecurityKeyApi
{
    /// <summary><c>get-webauthn</c> with the master password; returns the answer (keys and the verification token).</summary>
    public static async Task<JsonObject> GetAsync(TestAccount account)
    {
        using var response = await account.Client.PostJsonAsync("/api/two-factor/get-webauthn", new JsonObject { ["masterPasswordHash"] = account.Credentials.MasterPasswordHash });
        return await response.ExpectObjectAsync();
    }

    public static async Task<string> TokenAsync(TestAccount account) => (await GetAsync(account)).RequireString("userVerificationToken");

    /// <summary><c>get-webauthn-challenge</c>; returns the whole answer (nested <c>options</c> and the flat copy).</summary>
    public static async Task<JsonObject> ChallengeAsync(TestAccount account, string token)
    {
        using var response = await account.Client.PostJsonAsync("/api/two-factor/get-webauthn-challenge", new JsonObject { ["userVerificationToken"] = token });
        return await response.ExpectObjectAsync();
    }

    public static Task<HttpResponseMessage> PutAsync(TestAccount account, string token, int slot, string name, JsonObject deviceResponse) =>
        account.Client.PutJsonAsync("/api/two-factor/webauthn", new JsonObject
        {
            ["id"] = slot,
            ["name"] = name,
            ["userVerificationToken"] = token,
            ["deviceResponse"] = deviceResponse.DeepClone(),
        });

    /// <summary>Registers <paramref name="key"/> in <paramref name="slot"/> the way the web vault does; returns the PUT's answer.</summary>
    public static async Task<JsonObject> RegisterAsync(TestAccount account, SoftwareAuthenticator key, int slot = 1, string name = "Test key")
    {
        var token = await TokenAsync(account);
        var challenge = await ChallengeAsync(account, token);
        using var response = await PutAsync(account, token, slot, name, key.Register(challenge["options"]!.AsObject()));
        return await response.ExpectObjectAsync();
    }

    /// <summary>A password grant without a second factor; returns the challenge's assertion options for provider 7.</summary>
    public static async Task<JsonObject> LoginOptionsAsync(TestAccount account)
    {
        using var response = await TwoFactorApi.LoginAsync(account);
        var challenge = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        return challenge["TwoFactorProviders2"]!["7"]!.AsObject();
    }
}
