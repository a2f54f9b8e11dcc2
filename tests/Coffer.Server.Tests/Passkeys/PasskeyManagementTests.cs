using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Passkeys;

/// <summary>
/// <c>/api/webauthn</c> (<c>bitwarden-sharing-features.md</c> §5.6): creation behind the master password, the PRF key
/// set, listing, deleting, and the key rotation that re-wraps PRF passkeys (account doc §3.3).
/// </summary>
public sealed class PasskeyManagementTests(PasskeyServer server) : IClassFixture<PasskeyServer>
{
    private readonly CofferFactory factory = server.Factory;

    [Fact]
    public async Task AttestationOptions_AskForADiscoverableCredentialWithUserVerification_ForThisAccount()
    {
        var account = await TestAccount.CreateAsync(factory);

        var response = await PasskeyApi.AttestationOptionsAsync(account);

        var options = response["options"]!;
        Assert.Equal("webauthnCredentialCreateOptions", (string?)response["object"]);
        Assert.Equal("required", (string?)options["authenticatorSelection"]!["residentKey"]);
        Assert.Equal("required", (string?)options["authenticatorSelection"]!["userVerification"]);
        Assert.Equal("vault.example.test", (string?)options["rp"]!["id"]);
        Assert.Equal(account.Email, (string?)options["user"]!["name"]);
        Assert.Equal(Guid.Parse(account.UserId).ToByteArray(), System.Buffers.Text.Base64Url.DecodeFromChars((string)options["user"]!["id"]!));
    }

    [Fact]
    public async Task AttestationOptions_WithAWrongPassword_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync(PasskeyApi.Url + "/attestation-options", new JsonObject { ["masterPasswordHash"] = Fake.MasterPasswordHash() });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Create_WithPrf_IsListedAsEnabled_WithoutPrf_AsUnsupported()
    {
        var account = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();

        var (_, withPrf) = await PasskeyApi.RegisterAsync(account, authenticator, prf: true, name: "Phone");
        var (_, withoutPrf) = await PasskeyApi.RegisterAsync(account, authenticator, prf: false, name: "Key");

        var list = await PasskeyApi.ListAsync(account);
        Assert.Equal(2, list.Count);
        Assert.Equal(0, (int?)list.ById(withPrf.RequireString("id"))!["prfStatus"]);
        Assert.Equal("Phone", (string?)list.ById(withPrf.RequireString("id"))!["name"]);
        Assert.Equal(2, (int?)list.ById(withoutPrf.RequireString("id"))!["prfStatus"]);
        Assert.Equal("webauthnCredential", (string?)list[0]!["object"]);
    }

    [Fact]
    public async Task Create_WithoutUserVerification_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var options = await PasskeyApi.AttestationOptionsAsync(account);
        var (_, attestation) = PasskeyServer.Authenticator().Create(options["options"]!.AsObject(), userVerified: false);

        using var response = await account.Client.PostJsonAsync(PasskeyApi.Url, PasskeyApi.CreateBody(options.RequireString("token"), attestation, prf: true));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Empty(await PasskeyApi.ListAsync(account));
    }

    [Fact]
    public async Task Create_FromAnotherOrigin_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var options = await PasskeyApi.AttestationOptionsAsync(account);
        var (_, attestation) = PasskeyServer.Authenticator().Create(options["options"]!.AsObject(), origin: "https://evil.example");

        using var response = await account.Client.PostJsonAsync(PasskeyApi.Url, PasskeyApi.CreateBody(options.RequireString("token"), attestation, prf: true));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Create_WithAnotherAccountsToken_Returns400()
    {
        var victim = await TestAccount.CreateAsync(factory);
        var attacker = await TestAccount.CreateAsync(factory);
        var options = await PasskeyApi.AttestationOptionsAsync(victim);
        var (_, attestation) = PasskeyServer.Authenticator().Create(options["options"]!.AsObject());

        using var response = await attacker.Client.PostJsonAsync(PasskeyApi.Url, PasskeyApi.CreateBody(options.RequireString("token"), attestation, prf: false));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Empty(await PasskeyApi.ListAsync(victim));
        Assert.Empty(await PasskeyApi.ListAsync(attacker));
    }

    [Fact]
    public async Task Create_TwiceWithOneToken_SavesOnePasskey()
    {
        var account = await TestAccount.CreateAsync(factory);
        var options = await PasskeyApi.AttestationOptionsAsync(account);
        var authenticator = PasskeyServer.Authenticator();
        var (_, first) = authenticator.Create(options["options"]!.AsObject());
        var (_, second) = authenticator.Create(options["options"]!.AsObject());
        using (var ok = await account.Client.PostJsonAsync(PasskeyApi.Url, PasskeyApi.CreateBody(options.RequireString("token"), first, prf: false)))
        {
            await ok.ExpectSuccessAsync();
        }

        using var again = await account.Client.PostJsonAsync(PasskeyApi.Url, PasskeyApi.CreateBody(options.RequireString("token"), second, prf: false));

        await again.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Single(await PasskeyApi.ListAsync(account));
    }

    [Theory]
    [InlineData("", true, "2.a|b|c")]
    [InlineData("A name that is much longer than fifty characters, which is too long", true, null)]
    [InlineData("Laptop", false, "not an encstring")]
    public async Task Create_WithBadFields_Returns400(string name, bool prf, string? privateKey)
    {
        var account = await TestAccount.CreateAsync(factory);
        var options = await PasskeyApi.AttestationOptionsAsync(account);
        var (_, attestation) = PasskeyServer.Authenticator().Create(options["options"]!.AsObject());
        var body = PasskeyApi.CreateBody(options.RequireString("token"), attestation, prf: true, name: name);
        body["supportsPrf"] = prf;
        body["encryptedPrivateKey"] = privateKey;

        using var response = await account.Client.PostJsonAsync(PasskeyApi.Url, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("attestationObject", "AAAA")]
    [InlineData("attestationObject", "oWNmbXRkbm9uZQ")]
    [InlineData("clientDataJSON", "e30")]
    [InlineData("clientDataJSON", "not base64url!")]
    public async Task Create_WithAGarbledAttestation_Returns400(string member, string value)
    {
        var account = await TestAccount.CreateAsync(factory);
        var options = await PasskeyApi.AttestationOptionsAsync(account);
        var (_, attestation) = PasskeyServer.Authenticator().Create(options["options"]!.AsObject());
        attestation["response"]![member] = value;

        using var response = await account.Client.PostJsonAsync(PasskeyApi.Url, PasskeyApi.CreateBody(options.RequireString("token"), attestation, prf: false));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Create_ASixthPasskey_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();
        for (var i = 0; i < 5; i++)
        {
            await PasskeyApi.RegisterAsync(account, authenticator, prf: false, name: $"Key {i}");
        }

        using var response = await account.Client.PostJsonAsync(PasskeyApi.Url + "/attestation-options", PasskeyApi.Proof(account));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task UpdateKeySet_AfterAnAssertion_TurnsOnPrfUnlock()
    {
        var account = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();
        var options = await PasskeyApi.AttestationOptionsAsync(account);
        var (credential, attestation) = authenticator.Create(options["options"]!.AsObject());
        var body = PasskeyApi.CreateBody(options.RequireString("token"), attestation, prf: false);
        body["supportsPrf"] = true;
        using (var created = await account.Client.PostJsonAsync(PasskeyApi.Url, body))
        {
            Assert.Equal(1, (int?)(await created.ExpectObjectAsync())["prfStatus"]);
        }

        using var update = await UpdateKeySetAsync(account, authenticator, credential);

        await update.ExpectSuccessAsync();
        Assert.Equal(0, (int?)(await PasskeyApi.ListAsync(account))[0]!["prfStatus"]);
        using var login = await PasskeyApi.LogInAsync(factory.Anonymous(), authenticator, credential);
        Assert.NotNull((await login.ExpectObjectAsync())["UserDecryptionOptions"]!["WebAuthnPrfOption"]);
    }

    [Fact]
    public async Task UpdateKeySet_WithAnotherAccountsPasskey_Returns400_AndChangesNothing()
    {
        var victim = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();
        var (credential, saved) = await PasskeyApi.RegisterAsync(victim, authenticator);
        var attacker = await TestAccount.CreateAsync(factory);

        using var update = await UpdateKeySetAsync(attacker, authenticator, credential);

        await update.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(saved.RequireString("encryptedUserKey"), (await PasskeyApi.ListAsync(victim))[0].RequireString("encryptedUserKey"));
    }

    [Fact]
    public async Task Delete_AnotherAccountsPasskey_Returns404_AndKeepsIt()
    {
        var victim = await TestAccount.CreateAsync(factory);
        var (_, saved) = await PasskeyApi.RegisterAsync(victim, PasskeyServer.Authenticator());
        var attacker = await TestAccount.CreateAsync(factory);

        using var response = await attacker.Client.PostJsonAsync($"{PasskeyApi.Url}/{saved.RequireString("id")}/delete", PasskeyApi.Proof(attacker));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.Single(await PasskeyApi.ListAsync(victim));
    }

    [Fact]
    public async Task Delete_WithAWrongPassword_Returns400_AndKeepsIt()
    {
        var account = await TestAccount.CreateAsync(factory);
        var (_, saved) = await PasskeyApi.RegisterAsync(account, PasskeyServer.Authenticator());

        using var response = await account.Client.PostJsonAsync($"{PasskeyApi.Url}/{saved.RequireString("id")}/delete", new JsonObject { ["masterPasswordHash"] = Fake.MasterPasswordHash() });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Single(await PasskeyApi.ListAsync(account));
    }

    [Fact]
    public async Task RotationData_ListsPrfPasskeysOnly()
    {
        var account = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();
        var (_, prf) = await PasskeyApi.RegisterAsync(account, authenticator, prf: true);
        await PasskeyApi.RegisterAsync(account, authenticator, prf: false);

        using var response = await account.Client.GetAsync(AccountChanges.RotationDataUrl);

        var keyData = (await response.ExpectObjectAsync()).RequireArray("passkeyKeyData");
        var entry = Assert.Single(keyData);
        Assert.Equal(prf.RequireString("id"), entry.RequireString("id"));
        Assert.Equal(prf.RequireString("encryptedUserKey"), entry.RequireString("encryptedUserKey"));
        Assert.Equal("passkeyKeyData", (string?)entry!["object"]);
    }

    [Fact]
    public async Task Rotate_LeavingOutAPrfPasskey_Returns400_AndChangesNothing()
    {
        var account = await TestAccount.CreateAsync(factory);
        await PasskeyApi.RegisterAsync(account, PasskeyServer.Authenticator());
        var rotation = KeyRotationTests.Rotation(account, new KeyRotationTests.Vault([], [], ""));

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await AccountChanges.AssertSessionAliveAsync(account);
    }

    [Fact]
    public async Task Rotate_NamingAnotherAccountsPasskey_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var (_, foreign) = await PasskeyApi.RegisterAsync(other, PasskeyServer.Authenticator());
        var rotation = KeyRotationTests.Rotation(account, new KeyRotationTests.Vault([], [], ""));
        rotation.Body["accountUnlockData"]!["passkeyUnlockData"] = new JsonArray(UnlockData(foreign.RequireString("id")));

        using var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(foreign.RequireString("encryptedUserKey"), (await PasskeyApi.ListAsync(other))[0].RequireString("encryptedUserKey"));
    }

    [Fact]
    public async Task Rotate_WithEveryPrfPasskey_RewrapsThem_AndThePasskeyStillLogsIn()
    {
        var account = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();
        var (credential, saved) = await PasskeyApi.RegisterAsync(account, authenticator);
        var rotation = KeyRotationTests.Rotation(account, new KeyRotationTests.Vault([], [], ""));
        var unlock = UnlockData(saved.RequireString("id"));
        rotation.Body["accountUnlockData"]!["passkeyUnlockData"] = new JsonArray(unlock);

        using (var response = await account.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body))
        {
            await response.ExpectSuccessAsync();
        }

        using var login = await PasskeyApi.LogInAsync(factory.Anonymous(), authenticator, credential);
        var token = await login.ExpectObjectAsync();
        var prf = token["UserDecryptionOptions"]!["WebAuthnPrfOption"]!;
        Assert.Equal(unlock.RequireString("encryptedUserKey"), prf.RequireString("EncryptedUserKey"));
        Assert.Equal(rotation.NewKey, token.RequireString("Key"));
        var relogged = await TestAccount.LoginAsync(factory, account.Credentials);
        Assert.Equal(unlock.RequireString("encryptedPublicKey"), (await PasskeyApi.ListAsync(relogged))[0].RequireString("encryptedPublicKey"));
    }

    private static JsonObject UnlockData(string id) => new()
    {
        ["id"] = id,
        ["encryptedUserKey"] = "4." + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(256)),
        ["encryptedPublicKey"] = Fake.EncString(),
    };

    private static async Task<HttpResponseMessage> UpdateKeySetAsync(TestAccount account, PasskeyAuthenticator authenticator, PasskeyAuthenticator.Credential credential)
    {
        using var optionsResponse = await account.Client.PostJsonAsync(PasskeyApi.Url + "/assertion-options", PasskeyApi.Proof(account));
        var options = await optionsResponse.ExpectObjectAsync();
        return await account.Client.PutJsonAsync(PasskeyApi.Url, new JsonObject
        {
            ["deviceResponse"] = authenticator.Assert(credential, options["options"]!.AsObject()),
            ["token"] = options.RequireString("token"),
            ["encryptedUserKey"] = "4." + Convert.ToBase64String(new byte[256]),
            ["encryptedPublicKey"] = Fake.EncString(),
            ["encryptedPrivateKey"] = Fake.EncString(),
        });
    }
}
