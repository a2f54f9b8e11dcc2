using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Passkeys;

/// <summary>A server with <c>Coffer:PublicUrl</c> set, so WebAuthn is on (RP id <c>vault.example.test</c>).</summary>
public sealed class PasskeyServer : IDisposable
{
    public const string Origin = "https://vault.example.test";

    public PasskeyServer()
    {
        Factory.Settings["Coffer:PublicUrl"] = Origin + "/";
    }

    public CofferFactory Factory { get; } = new();

    public static PasskeyAuthenticator Authenticator() => new(Origin, "vault.example.test");

    public void Dispose() => Factory.Dispose();
}

/// <summary>The passkey calls as the web vault makes them (<c>bitwarden-sharing-features.md</c> §5.6).</summary>
public static class PasskeyApi
{
    public const string Url = "/api/webauthn";
    public const string LoginOptionsUrl = "/identity/accounts/webauthn/assertion-options";

    public static async Task<JsonObject> AttestationOptionsAsync(TestAccount account)
    {
        using var response = await account.Client.PostJsonAsync(Url + "/attestation-options", Proof(account));
        return await response.ExpectObjectAsync();
    }

    /// <summary>Registers a new passkey on <paramref name="authenticator"/>, with a PRF key set when <paramref name="prf"/>.</summary>
    public static async Task<(PasskeyAuthenticator.Credential Credential, JsonObject Saved)> RegisterAsync(
        TestAccount account, PasskeyAuthenticator authenticator, bool prf = true, string name = "Laptop")
    {
        var options = await AttestationOptionsAsync(account);
        var (credential, attestation) = authenticator.Create(options["options"]!.AsObject());
        using var response = await account.Client.PostJsonAsync(Url, CreateBody(options.RequireString("token"), attestation, prf, name));
        return (credential, await response.ExpectObjectAsync());
    }

    public static JsonObject CreateBody(string token, JsonObject attestation, bool prf, string name = "Laptop") => new()
    {
        ["deviceResponse"] = attestation,
        ["name"] = name,
        ["token"] = token,
        ["supportsPrf"] = prf,
        ["encryptedUserKey"] = prf ? "4." + Convert.ToBase64String(new byte[256]) : null,
        ["encryptedPublicKey"] = prf ? Fake.EncString() : null,
        ["encryptedPrivateKey"] = prf ? Fake.EncString() : null,
    };

    public static async Task<JsonArray> ListAsync(TestAccount account)
    {
        using var response = await account.Client.GetAsync(Url);
        return (await response.ExpectObjectAsync()).RequireArray("data");
    }

    public static async Task<JsonObject> LoginOptionsAsync(HttpClient client)
    {
        using var response = await client.GetAsync(LoginOptionsUrl);
        return await response.ExpectObjectAsync();
    }

    public static Task<HttpResponseMessage> GrantAsync(HttpClient client, string token, JsonObject assertion, string? device = null) =>
        client.PostFormAsync("/identity/connect/token", new Dictionary<string, string>
        {
            ["grant_type"] = "webauthn",
            ["scope"] = "api offline_access",
            ["client_id"] = "web",
            ["deviceType"] = "9",
            ["deviceIdentifier"] = device ?? Fake.DeviceIdentifier(),
            ["deviceName"] = "chrome",
            ["token"] = token,
            ["deviceResponse"] = assertion.ToJsonString(),
        });

    /// <summary>A complete passkey login: options, assertion, grant; the response as it came.</summary>
    public static async Task<HttpResponseMessage> LogInAsync(HttpClient client, PasskeyAuthenticator authenticator, PasskeyAuthenticator.Credential credential)
    {
        var options = await LoginOptionsAsync(client);
        return await GrantAsync(client, options.RequireString("token"), authenticator.Assert(credential, options["options"]!.AsObject()));
    }

    public static async Task ExpectRefusedAsync(HttpResponseMessage response)
    {
        var error = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", error.RequireString("error"));
        Assert.Null(error["access_token"]);
    }

    public static JsonObject Proof(TestAccount account) => new() { ["masterPasswordHash"] = account.Credentials.MasterPasswordHash };
}
