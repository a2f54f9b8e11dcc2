using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>A registered, logged-in account with an HttpClient that carries its access token.</summary>
public sealed class TestAccount
{
    private TestAccount(CofferFactory factory, Credentials credentials, string deviceIdentifier, JsonObject tokenResponse)
    {
        Factory = factory;
        Credentials = credentials;
        DeviceIdentifier = deviceIdentifier;
        TokenResponse = tokenResponse;
        AccessToken = tokenResponse.RequireString("access_token");
        RefreshToken = tokenResponse.RequireString("refresh_token");
        UserId = Jwt.Decode(AccessToken).Payload.RequireString("sub");
        Client = factory.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
    }

    public CofferFactory Factory { get; }

    public Credentials Credentials { get; }

    public string DeviceIdentifier { get; }

    public JsonObject TokenResponse { get; }

    public string AccessToken { get; }

    public string RefreshToken { get; }

    /// <summary>The JWT's <c>sub</c>.</summary>
    public string UserId { get; }

    /// <summary>Authenticated with <see cref="AccessToken"/>.</summary>
    public HttpClient Client { get; }

    public string Email => Credentials.Email;

    public static async Task<TestAccount> CreateAsync(CofferFactory factory, Kdf? kdf = null)
    {
        var credentials = Credentials.New(kdf);
        var anonymous = factory.CreateClient();
        await IdentityApi.RegisterAsync(anonymous, credentials);
        var device = Fake.DeviceIdentifier();
        var token = await IdentityApi.LoginAsync(anonymous, credentials, device);
        return new TestAccount(factory, credentials, device, token);
    }

    /// <summary>Logs in an account that is already registered (registered through another route than <see cref="CreateAsync"/>).</summary>
    public static async Task<TestAccount> LoginAsync(CofferFactory factory, Credentials credentials)
    {
        var device = Fake.DeviceIdentifier();
        var token = await IdentityApi.LoginAsync(factory.CreateClient(), credentials, device);
        return new TestAccount(factory, credentials, device, token);
    }

    public async Task<JsonObject> SyncAsync()
    {
        using var response = await Client.GetAsync("/api/sync?excludeDomains=true");
        return await response.ExpectObjectAsync();
    }

    public async Task<long> RevisionDateAsync()
    {
        using var response = await Client.GetAsync("/api/accounts/revision-date");
        var json = await response.ExpectJsonAsync();
        return json!.GetValue<long>();
    }

    public async Task<JsonObject> CreateFolderAsync()
    {
        using var response = await Client.PostJsonAsync("/api/folders", Payloads.Folder());
        return await response.ExpectObjectAsync();
    }

    public async Task<JsonObject> CreateCipherAsync(JsonObject? cipher = null)
    {
        using var response = await Client.PostJsonAsync("/api/ciphers", cipher ?? Payloads.LoginCipher());
        return await response.ExpectObjectAsync();
    }

    /// <summary>The cipher as sync reports it, or null when sync does not list it.</summary>
    public async Task<JsonObject?> SyncedCipherAsync(string id) => (await SyncAsync()).RequireArray("ciphers").ById(id);

    public async Task<JsonObject?> SyncedFolderAsync(string id) => (await SyncAsync()).RequireArray("folders").ById(id);
}
