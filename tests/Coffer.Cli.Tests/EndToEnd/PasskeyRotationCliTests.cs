using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Cli.Storage;
using Coffer.Cli.Tests.Cli;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Testing.Hostile;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>
/// <c>coffer account rotate-key</c> on an account with a PRF passkey registered as the web vault registers it
/// (<c>bitwarden-sharing-features.md</c> §5.6), against the real server with WebAuthn on: the passkey's key set is
/// re-wrapped, so a passkey login afterwards opens the new user key.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PasskeyRotationCliTests(MailServerFixture server) : IClassFixture<MailServerFixture>, IDisposable
{
    private const string Password = "correct horse battery staple";
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task RotateKey_WithAPrfPasskey_RewrapsItsKeySet_SoAPasskeyLoginOpensTheNewUserKey()
    {
        var email = await _cli.LoginNewAccountAsync(server.BaseUrl, Password);
        await _cli.OkAsync("add", "login", "--name", "Jira", "--username", "alice", "--password", "s3cret!", "--passwordenv", "MP");
        var before = Session();
        using var oldKey = UserKeys.Unlock(before.ProtectedUserKey, Password, email, before.Kdf.ToConfig());
        var authenticator = new PasskeyAuthenticator(MailServerFixture.PublicUrl, new Uri(MailServerFixture.PublicUrl).Host);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var credential = await RegisterPrfPasskeyAsync(http, email, authenticator, oldKey);

        var output = await _cli.OkAsync("account", "rotate-key", "--passwordenv", "MP");

        Assert.Contains("1 items re-encrypted", output, StringComparison.Ordinal);
        await _cli.OkAsync("login", email, "--passwordenv", "MP");
        var after = Session();
        using var newKey = UserKeys.Unlock(after.ProtectedUserKey, Password, email, after.Kdf.ToConfig());
        Assert.NotEqual(oldKey.KeyId, newKey.KeyId);
        Assert.Equal("s3cret!\n", await _cli.OkAsync("get", "password", "Jira", "--passwordenv", "MP"));

        // The passkey login, as the web vault makes it: its PRF output opens the key set the server hands back.
        var options = await ReadObjectAsync(await http.GetAsync(new Uri("identity/accounts/webauthn/assertion-options", UriKind.Relative)));
        using var grant = await http.PostAsync(new Uri("identity/connect/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "webauthn",
            ["scope"] = "api offline_access",
            ["client_id"] = "web",
            ["deviceType"] = "9",
            ["deviceIdentifier"] = Guid.NewGuid().ToString(),
            ["deviceName"] = "chrome",
            ["token"] = (string)options["token"]!,
            ["deviceResponse"] = authenticator.Assert(credential, options["options"]!.AsObject()).ToJsonString(),
        }));
        var token = await ReadObjectAsync(grant);
        var prfOption = token["UserDecryptionOptions"]!["WebAuthnPrfOption"]!;
        using var opened = PrfKeySet.Open(credential.Prf(PrfKeySet.Salt()), (string)prfOption["EncryptedPrivateKey"]!, (string)prfOption["EncryptedUserKey"]!);
        Assert.Equal(newKey.ToArray(), opened.ToArray());
        var jira = Assert.Single(after.Sync!.Ciphers);
        var item = VaultCrypto.Decrypt(jira, opened);
        Assert.Equal(("Jira", "alice", "s3cret!"), (item.Name, item.Login!.Username, item.Login.Password));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => VaultCrypto.Decrypt(jira, oldKey));
    }

    [Fact]
    public async Task RotateKey_WhenTheServerSwapsAPasskeysPublicKey_RefusesNamingThePasskey_AndSendsNothing()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        var email = await _cli.LoginNewAccountAsync(proxy.BaseAddress, Password);
        var session = Session();
        using var userKey = UserKeys.Unlock(session.ProtectedUserKey, Password, email, session.Kdf.ToConfig());
        var authenticator = new PasskeyAuthenticator(MailServerFixture.PublicUrl, new Uri(MailServerFixture.PublicUrl).Host);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        await RegisterPrfPasskeyAsync(http, email, authenticator, userKey);

        // The server's own key pair, its public key under a key the server holds: it cannot make one under the user key.
        using var serverKey = SymmetricKey.Generate();
        var forged = PrfKeySet.Make(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), serverKey);
        string? passkeyId = null;
        proxy.Arm(new HostileScenario("passkey-pk-swap", HostileRule.Rewrite("GET", "^/api/accounts/key-management/key-rotation-data$", body =>
        {
            var entry = body!["passkeyKeyData"]![0]!;
            passkeyId = (string)entry["id"]!;
            entry["encryptedPublicKey"] = forged.EncryptedPublicKey;
            return body;
        })));
        var (code, _, error) = await _cli.RunAsync("account", "rotate-key", "--passwordenv", "MP");

        Assert.Equal(1, code);
        Assert.NotNull(passkeyId);
        Assert.Equal($"Error: The public key of passkey {passkeyId} does not decrypt under the current user key; nothing was sent.", error.TrimEnd());
        Assert.Empty(proxy.Requests("POST", "^/api/accounts/key-management/rotate-user-account-keys$"));
        await _cli.OkAsync("sync");
    }

    /// <summary>What the web vault's Settings → Passkeys does with a PRF authenticator (§5.6): a new passkey with its key set for <paramref name="userKey"/>.</summary>
    private async Task<PasskeyAuthenticator.Credential> RegisterPrfPasskeyAsync(HttpClient http, string email, PasskeyAuthenticator authenticator, SymmetricKey userKey)
    {
        using var handler = new HttpClientHandler();
        using var client = new CofferApiClient(handler, server.BaseUrl, Guid.NewGuid().ToString());
        var prelogin = await client.PreloginAsync(email);
        var hash = MasterKeys.HashMasterPassword(MasterKeys.DeriveMasterKey(Password, email, prelogin.KdfSettings.ToConfig()), Password);
        var login = Assert.IsType<LoginSucceeded>(await client.LoginAsync(email, hash, null));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/webauthn/attestation-options") { Content = JsonContent.Create(new JsonObject { ["masterPasswordHash"] = hash }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", login.Token.AccessToken);
        var options = await ReadObjectAsync(await http.SendAsync(request));

        var (credential, attestation) = authenticator.Create(options["options"]!.AsObject());
        var keySet = PrfKeySet.Make(credential.Prf(PrfKeySet.Salt()), userKey);
        using var create = new HttpRequestMessage(HttpMethod.Post, "api/webauthn")
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["deviceResponse"] = attestation,
                ["name"] = "Laptop",
                ["token"] = (string)options["token"]!,
                ["supportsPrf"] = true,
                ["encryptedUserKey"] = keySet.EncryptedUserKey,
                ["encryptedPublicKey"] = keySet.EncryptedPublicKey,
                ["encryptedPrivateKey"] = keySet.EncryptedPrivateKey,
            }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", login.Token.AccessToken);
        Assert.Equal(0, (int?)(await ReadObjectAsync(await http.SendAsync(create)))["prfStatus"]);
        return credential;
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
            return JsonNode.Parse(body)!.AsObject();
        }
    }

    private SessionState Session() => JsonSerializer.Deserialize<SessionState>(File.ReadAllText(Path.Combine(_cli.ConfigDir, StateFiles.Session)), WebJson)!;
}
