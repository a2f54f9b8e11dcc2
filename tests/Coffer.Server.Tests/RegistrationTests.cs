using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>Sign-up: §5.1–5.3 of the protocol doc, and the server's rules on KDFs, e-mails and keys.</summary>
public sealed class RegistrationTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private readonly HttpClient client = factory.Anonymous();

    [Fact]
    public async Task SendVerificationEmail_ReturnsTokenAsJsonString()
    {
        using var response = await client.PostJsonAsync(IdentityApi.SendVerificationEmail, new JsonObject { ["email"] = Fake.Email(), ["name"] = "Test User" });

        var token = await response.ExpectJsonAsync();
        Assert.Equal(JsonValueKind.String, token?.GetValueKind());
        Assert.False(string.IsNullOrWhiteSpace(token!.GetValue<string>()));
    }

    [Theory]
    [InlineData("{\"email\":\"not-an-email\",\"name\":\"x\"}")]
    [InlineData("{\"email\":\"\",\"name\":\"x\"}")]
    [InlineData("{\"name\":\"x\"}")]
    [InlineData("{\"email\":null}")]
    public async Task SendVerificationEmail_WithoutAValidEmail_Returns400(string body)
    {
        using var response = await client.SendRawAsync(HttpMethod.Post, IdentityApi.SendVerificationEmail, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RegisterFinish_CurrentShape_ReturnsRegisterFinishObject()
    {
        var account = Credentials.New();
        var token = await IdentityApi.RequestRegistrationTokenAsync(client, account.Email);

        using var response = await client.PostJsonAsync(IdentityApi.RegisterFinishUrl, Payloads.RegisterFinish(account, token));

        var body = await response.ExpectObjectAsync();
        Assert.Equal("registerFinish", (string?)body["object"]);
    }

    [Fact]
    public async Task RegisterFinish_ThenPasswordGrant_LogsIn()
    {
        var account = Credentials.New();
        await IdentityApi.RegisterAsync(client, account);

        var token = await IdentityApi.LoginAsync(client, account, Fake.DeviceIdentifier());

        Assert.Equal(account.UserKey, (string?)token.Cli("Key"));
    }

    [Fact]
    public async Task LegacyRegister_SingleRequest_CreatesAccountThatLogsIn()
    {
        var account = Credentials.New(Kdf.Argon2id);

        using var response = await client.PostJsonAsync(IdentityApi.LegacyRegisterUrl, Payloads.LegacyRegister(account));
        await response.ExpectSuccessAsync();

        var prelogin = await IdentityApi.PreloginAsync(client, account.Email);
        Assert.Equal(1, (int?)prelogin["kdfSettings"]?["kdfType"]);
        var token = await IdentityApi.LoginAsync(client, account, Fake.DeviceIdentifier());
        Assert.Equal(account.UserKey, (string?)token.Cli("Key"));
    }

    [Fact]
    public async Task RegisterFinish_FlatFieldsOnly_OlderClientShape_IsAccepted()
    {
        var account = Credentials.New();
        var token = await IdentityApi.RequestRegistrationTokenAsync(client, account.Email);
        var request = Payloads.RegisterFinish(account, token);
        request.Remove("masterPasswordAuthentication");
        request.Remove("masterPasswordUnlock");

        using var response = await client.PostJsonAsync(IdentityApi.RegisterFinishUrl, request);

        await response.ExpectSuccessAsync();
        await IdentityApi.LoginAsync(client, account, Fake.DeviceIdentifier());
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData("{0:U}")]
    [InlineData("  {0}  ")]
    [InlineData(" {0:U}\t")]
    public async Task Register_DuplicateEmail_AnyCasingOrWhitespace_Returns400(string variant)
    {
        var first = Credentials.New();
        await IdentityApi.RegisterAsync(client, first);
        var again = Credentials.New(email: Variant(variant, first.Email));

        using var twoStep = await RegisterFinishAsync(again);
        await twoStep.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        using var legacy = await client.PostJsonAsync(IdentityApi.LegacyRegisterUrl, Payloads.LegacyRegister(again));
        await legacy.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);

        // The first account is untouched: it still logs in with its own hash.
        await IdentityApi.LoginAsync(client, first, Fake.DeviceIdentifier());
    }

    [Fact]
    public async Task Register_MixedCaseEmailWithSpaces_IsStoredTrimmedAndLowercased()
    {
        var local = $"Mixed.Case-{Guid.NewGuid():N}";
        var typed = $"  {local}@Example.COM ";
        var normalised = $"{local.ToLowerInvariant()}@example.com";
        var account = Credentials.New(email: typed);
        var token = await IdentityApi.RequestRegistrationTokenAsync(client, typed);
        using var response = await client.PostJsonAsync(IdentityApi.RegisterFinishUrl, Payloads.RegisterFinish(account, token));
        await response.ExpectSuccessAsync();

        var prelogin = await IdentityApi.PreloginAsync(client, normalised);
        Assert.Equal(normalised, (string?)prelogin["salt"]);
        var login = await IdentityApi.LoginAsync(client, account, Fake.DeviceIdentifier());
        var (_, payload, _) = Jwt.Decode(login.RequireString("access_token"));
        Assert.Equal(normalised, (string?)payload["email"]);
    }

    public static TheoryData<int, int, int?, int?> KdfOutOfRange => new()
    {
        { 0, 599_999, null, null },
        { 0, 5_000, null, null },
        { 0, 2_000_001, null, null },
        { 1, 1, 64, 4 },
        { 1, 3, 14, 4 },
        { 1, 3, 1025, 4 },
        { 1, 3, 64, 0 },
        { 1, 3, 64, 17 },
        { 1, 3, null, 4 },
        { 1, 3, 64, null },
        { 2, 600_000, null, null },
        { -1, 600_000, null, null },
    };

    [Theory]
    [MemberData(nameof(KdfOutOfRange))]
    public async Task Register_KdfOutsideLimits_Returns400(int type, int iterations, int? memory, int? parallelism)
    {
        var account = Credentials.New(new Kdf(type, iterations, memory, parallelism));

        using var twoStep = await RegisterFinishAsync(account);
        await twoStep.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        using var legacy = await client.PostJsonAsync(IdentityApi.LegacyRegisterUrl, Payloads.LegacyRegister(account));
        await legacy.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);

        // Refused means not created: the e-mail is still free.
        await IdentityApi.RegisterAsync(client, account with { Kdf = Kdf.Pbkdf2 });
    }

    public static TheoryData<int, int, int?, int?> KdfAtLimits => new()
    {
        { 0, 600_000, null, null },
        { 0, 2_000_000, null, null },
        { 1, 2, 15, 1 },
        { 1, 10, 1024, 16 },
        { 1, 6, 32, 4 },
    };

    [Theory]
    [MemberData(nameof(KdfAtLimits))]
    public async Task Register_KdfAtLimits_IsAcceptedAndReportedByPrelogin(int type, int iterations, int? memory, int? parallelism)
    {
        var account = Credentials.New(new Kdf(type, iterations, memory, parallelism));

        using var response = await RegisterFinishAsync(account);
        await response.ExpectSuccessAsync();

        var settings = (await IdentityApi.PreloginAsync(client, account.Email))["kdfSettings"];
        Assert.Equal(type, (int?)settings?["kdfType"]);
        Assert.Equal(iterations, (int?)settings?["iterations"]);
        Assert.Equal(memory, (int?)settings?["memory"]);
        Assert.Equal(parallelism, (int?)settings?["parallelism"]);
    }

    [Theory]
    [InlineData("no key pair")]
    [InlineData("no public key")]
    [InlineData("no private key")]
    [InlineData("authentication salt differs")]
    [InlineData("unlock salt differs")]
    [InlineData("salt is not the e-mail")]
    [InlineData("authentication kdf differs")]
    [InlineData("unlock kdf differs")]
    [InlineData("hash differs from flat hash")]
    [InlineData("no hash at all")]
    [InlineData("no user key")]
    [InlineData("user key not an EncString")]
    [InlineData("private key not an EncString")]
    [InlineData("hash not base64")]
    [InlineData("no e-mail")]
    [InlineData("e-mail without @")]
    [InlineData("no verification token")]
    [InlineData("token for another e-mail")]
    [InlineData("forged token")]
    public async Task RegisterFinish_InvalidRequest_Returns400AndCreatesNothing(string defect)
    {
        var account = Credentials.New();
        var token = await IdentityApi.RequestRegistrationTokenAsync(client, account.Email);
        var request = Payloads.RegisterFinish(account, token);
        await Break(request, defect);

        using var response = await client.PostJsonAsync(IdentityApi.RegisterFinishUrl, request);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        using var login = await IdentityApi.PasswordGrantAsync(client, account.Email, account.MasterPasswordHash, Fake.DeviceIdentifier());
        await login.ExpectStatusAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("key")]
    [InlineData("keys")]
    [InlineData("keys.publicKey")]
    [InlineData("keys.encryptedPrivateKey")]
    [InlineData("masterPasswordHash")]
    public async Task LegacyRegister_MissingRequiredPart_Returns400(string missing)
    {
        var account = Credentials.New();
        var request = Payloads.LegacyRegister(account);
        if (missing.StartsWith("keys.", StringComparison.Ordinal))
        {
            request["keys"]!.AsObject().Remove(missing["keys.".Length..]);
        }
        else
        {
            request.Remove(missing);
        }

        using var response = await client.PostJsonAsync(IdentityApi.LegacyRegisterUrl, request);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RegisterFinish_WithContainedKeyId_ReportsItAsTheUserKeyId()
    {
        // §5.2: masterPasswordUnlock.containedKeyId, when present, is the user's key id (no backfill needed).
        var account = Credentials.New();
        var keyId = Fake.UserKeyId();
        var token = await IdentityApi.RequestRegistrationTokenAsync(client, account.Email);
        var request = Payloads.RegisterFinish(account, token);
        request["masterPasswordUnlock"]!["containedKeyId"] = keyId;
        using (var response = await client.PostJsonAsync(IdentityApi.RegisterFinishUrl, request))
        {
            await response.ExpectSuccessAsync();
        }

        var login = await IdentityApi.LoginAsync(client, account, Fake.DeviceIdentifier());
        using var api = factory.CreateClient();
        api.DefaultRequestHeaders.Authorization = new("Bearer", login.RequireString("access_token"));
        using var sync = await api.GetAsync("/api/sync?excludeDomains=true");

        Assert.Equal(keyId, (string?)(await sync.ExpectObjectAsync())["userDecryption"]?["userKeyId"]);
    }

    [Fact]
    public async Task Register_SameEmailConcurrently_CreatesOneAccount()
    {
        var email = Fake.Email();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            var account = Credentials.New(email: email);
            using var response = await client.PostJsonAsync(IdentityApi.LegacyRegisterUrl, Payloads.LegacyRegister(account));
            return (account, response.StatusCode);
        }));

        var winner = Assert.Single(attempts, a => a.StatusCode == HttpStatusCode.OK);
        Assert.All(attempts.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
        await IdentityApi.LoginAsync(client, winner.account, Fake.DeviceIdentifier());
    }

    private async Task<HttpResponseMessage> RegisterFinishAsync(Credentials account)
    {
        var token = await IdentityApi.RequestRegistrationTokenAsync(client, account.Email);
        return await client.PostJsonAsync(IdentityApi.RegisterFinishUrl, Payloads.RegisterFinish(account, token));
    }

    private static string Variant(string pattern, string email) => pattern
        .Replace("{0:U}", email.ToUpperInvariant(), StringComparison.Ordinal)
        .Replace("{0}", email, StringComparison.Ordinal);

    private async Task Break(JsonObject request, string defect)
    {
        var authentication = request["masterPasswordAuthentication"]!.AsObject();
        var unlock = request["masterPasswordUnlock"]!.AsObject();
        switch (defect)
        {
            case "no key pair":
                request.Remove("userAsymmetricKeys");
                break;
            case "no public key":
                request["userAsymmetricKeys"]!.AsObject().Remove("publicKey");
                break;
            case "no private key":
                request["userAsymmetricKeys"]!.AsObject().Remove("encryptedPrivateKey");
                break;
            case "authentication salt differs":
                authentication["salt"] = "other@example.com";
                break;
            case "unlock salt differs":
                unlock["salt"] = "other@example.com";
                break;
            case "salt is not the e-mail":
                authentication["salt"] = "other@example.com";
                unlock["salt"] = "other@example.com";
                break;
            case "authentication kdf differs":
                authentication["kdf"] = new Kdf(0, 700_000).ToObject();
                break;
            case "unlock kdf differs":
                unlock["kdf"] = Kdf.Argon2id.ToObject();
                break;
            case "hash differs from flat hash":
                authentication["masterPasswordAuthenticationHash"] = Fake.MasterPasswordHash();
                break;
            case "no hash at all":
                request.Remove("masterPasswordHash");
                authentication.Remove("masterPasswordAuthenticationHash");
                break;
            case "no user key":
                request.Remove("userSymmetricKey");
                unlock.Remove("masterKeyWrappedUserKey");
                break;
            case "user key not an EncString":
                request["userSymmetricKey"] = "not an encstring";
                unlock["masterKeyWrappedUserKey"] = "not an encstring";
                break;
            case "private key not an EncString":
                request["userAsymmetricKeys"]!["encryptedPrivateKey"] = "plain private key";
                break;
            case "hash not base64":
                request["masterPasswordHash"] = "not base64 !!!";
                authentication["masterPasswordAuthenticationHash"] = "not base64 !!!";
                break;
            case "no e-mail":
                request.Remove("email");
                break;
            case "e-mail without @":
                request["email"] = "not-an-email";
                break;
            case "no verification token":
                request.Remove("emailVerificationToken");
                break;
            case "token for another e-mail":
                request["emailVerificationToken"] = await IdentityApi.RequestRegistrationTokenAsync(client, Fake.Email());
                break;
            case "forged token":
                request["emailVerificationToken"] = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(defect), defect, null);
        }
    }
}
