using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>§4.3: <c>/identity/connect/token</c>, password and refresh grants.</summary>
public sealed class TokenTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private readonly HttpClient client = factory.Anonymous();

    [Fact]
    public async Task PasswordGrant_ReturnsBearerTokensAndAccountKeys()
    {
        var account = Credentials.New();
        await IdentityApi.RegisterAsync(client, account);

        using var response = await IdentityApi.PasswordGrantAsync(client, account.Email, account.MasterPasswordHash, Fake.DeviceIdentifier());
        var token = await response.ExpectObjectAsync();

        Assert.False(string.IsNullOrEmpty(token.RequireString("access_token")));
        Assert.False(string.IsNullOrEmpty(token.RequireString("refresh_token")));
        Assert.Equal("Bearer", token.RequireString("token_type"));
        Assert.Equal(3600, (int?)token["expires_in"]);
        Assert.Equal("api offline_access", (string?)token["scope"]);
        Assert.Equal(account.UserKey, (string?)token.Cli("Key"));
        Assert.Equal(account.PrivateKey, (string?)token.Cli("PrivateKey"));

        // Inside AccountKeys the CLI reads exact camelCase names (§6).
        var pair = token.Cli("AccountKeys")?["publicKeyEncryptionKeyPair"];
        Assert.NotNull(pair);
        Assert.Equal(account.PrivateKey, (string?)pair["wrappedPrivateKey"]);
        Assert.Equal(account.PublicKey, (string?)pair["publicKey"]);

        Assert.Equal(0, (int?)token.Cli("Kdf"));
        Assert.Equal(600_000, (int?)token.Cli("KdfIterations"));
        Assert.Null(token.Cli("KdfMemory"));
        Assert.Null(token.Cli("KdfParallelism"));
    }

    [Fact]
    public async Task PasswordGrant_UserDecryptionOptions_CarryMasterPasswordUnlock()
    {
        var account = Credentials.New(Kdf.Argon2id);
        await IdentityApi.RegisterAsync(client, account);

        var token = await IdentityApi.LoginAsync(client, account, Fake.DeviceIdentifier());

        var unlock = token.Cli("UserDecryptionOptions").Cli("MasterPasswordUnlock");
        Assert.NotNull(unlock);
        Assert.Equal(account.Salt, (string?)unlock.Cli("Salt"));
        Assert.Equal(account.UserKey, (string?)unlock.Cli("MasterKeyEncryptedUserKey"));
        var kdf = unlock.Cli("Kdf");
        Assert.Equal(1, (int?)kdf.Cli("KdfType"));
        Assert.Equal(3, (int?)kdf.Cli("Iterations"));
        Assert.Equal(64, (int?)kdf.Cli("Memory"));
        Assert.Equal(4, (int?)kdf.Cli("Parallelism"));
        Assert.Equal(1, (int?)token.Cli("Kdf"));
        Assert.Equal(64, (int?)token.Cli("KdfMemory"));
        Assert.Equal(4, (int?)token.Cli("KdfParallelism"));
    }

    [Fact]
    public async Task PasswordGrant_AccessToken_IsHs256JwtWithContractClaims()
    {
        var account = Credentials.New();
        await IdentityApi.RegisterAsync(client, account);
        var device = Fake.DeviceIdentifier();

        var token = await IdentityApi.LoginAsync(client, account, device);
        var (header, claims, _) = Jwt.Decode(token.RequireString("access_token"));

        Assert.Equal("HS256", (string?)header["alg"]);
        Assert.True(Guid.TryParse(claims.RequireString("sub"), out _));
        Assert.Equal(account.Salt, claims.RequireString("email"));
        Assert.False(string.IsNullOrEmpty(claims.RequireString("sstamp")));
        // The contract names the claim, not its value (the device identifier or the server's own device id).
        Assert.False(string.IsNullOrEmpty(claims.RequireString("device")));
        Assert.Equal("cli", claims.RequireString("client_id"));
        Assert.NotNull(claims["iss"]);
        Assert.NotNull(claims["aud"]);
        var expires = DateTimeOffset.FromUnixTimeSeconds((long)claims["exp"]!);
        var lifetime = expires - factory.Clock.GetUtcNow();
        Assert.InRange(lifetime, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task PasswordGrant_SubjectIsTheSyncProfileId()
    {
        var account = await TestAccount.CreateAsync(factory);

        var sync = await account.SyncAsync();

        Assert.Equal(account.UserId, (string?)sync["profile"]?["id"]);
    }

    [Theory]
    [InlineData("  {0}  ")]
    [InlineData("{0:U}")]
    [InlineData(" {0:U}")]
    public async Task PasswordGrant_UsernameUntrimmedInAnyCase_LogsIn(string typed)
    {
        var account = Credentials.New();
        await IdentityApi.RegisterAsync(client, account);
        var username = typed
            .Replace("{0:U}", account.Email.ToUpperInvariant(), StringComparison.Ordinal)
            .Replace("{0}", account.Email, StringComparison.Ordinal);

        using var response = await IdentityApi.PasswordGrantAsync(client, username, account.MasterPasswordHash, Fake.DeviceIdentifier());

        var token = await response.ExpectObjectAsync();
        Assert.Equal(account.UserKey, (string?)token.Cli("Key"));
    }

    [Fact]
    public async Task PasswordGrant_WrongPasswordAndUnknownUser_AreIndistinguishable()
    {
        var account = Credentials.New();
        await IdentityApi.RegisterAsync(client, account);

        using var wrongPassword = await IdentityApi.PasswordGrantAsync(client, account.Email, Fake.MasterPasswordHash(), Fake.DeviceIdentifier());
        using var unknownUser = await IdentityApi.PasswordGrantAsync(client, Fake.Email(), account.MasterPasswordHash, Fake.DeviceIdentifier());

        var wrongBody = await wrongPassword.ExpectObjectAsync(HttpStatusCode.BadRequest);
        var unknownBody = await unknownUser.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.True(JsonNode.DeepEquals(wrongBody, unknownBody), $"{wrongBody.ToJsonString()} vs {unknownBody.ToJsonString()}");
        // The CLI prints ErrorModel.Message, falling back to message (§1.3).
        var message = wrongBody.Cli("ErrorModel").Cli("Message") ?? wrongBody.Cli("message");
        Assert.Equal(JsonValueKind.String, message?.GetValueKind());
    }

    [Theory]
    [InlineData("scope")]
    [InlineData("client_id")]
    [InlineData("deviceType")]
    [InlineData("deviceIdentifier")]
    [InlineData("deviceName")]
    [InlineData("username")]
    [InlineData("password")]
    public async Task PasswordGrant_MissingField_Returns400InvalidRequest(string missing)
    {
        var account = Credentials.New();
        await IdentityApi.RegisterAsync(client, account);
        var form = Payloads.PasswordGrant(account.Email, account.MasterPasswordHash, Fake.DeviceIdentifier());
        form.Remove(missing);

        using var response = await client.PostFormAsync(IdentityApi.TokenUrl, form);

        var body = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request", (string?)body["error"]);
    }

    [Theory]
    [InlineData("deviceType", "linux")]
    [InlineData("deviceType", "")]
    [InlineData("deviceIdentifier", "")]
    [InlineData("username", "")]
    [InlineData("password", "")]
    public async Task PasswordGrant_MalformedField_Returns400InvalidRequest(string field, string value)
    {
        var account = Credentials.New();
        await IdentityApi.RegisterAsync(client, account);
        var form = Payloads.PasswordGrant(account.Email, account.MasterPasswordHash, Fake.DeviceIdentifier());
        form[field] = value;

        using var response = await client.PostFormAsync(IdentityApi.TokenUrl, form);

        var body = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request", (string?)body["error"]);
    }

    [Theory]
    [InlineData("api")]
    [InlineData("offline_access")]
    [InlineData("api offline_access admin")]
    [InlineData("")]
    public async Task PasswordGrant_WrongScope_Returns400InvalidScope(string scope)
    {
        var account = Credentials.New();
        await IdentityApi.RegisterAsync(client, account);
        var form = Payloads.PasswordGrant(account.Email, account.MasterPasswordHash, Fake.DeviceIdentifier());
        form["scope"] = scope;

        using var response = await client.PostFormAsync(IdentityApi.TokenUrl, form);

        // RFC 6749 §5.2: a missing scope is a malformed request, a wrong one is invalid_scope.
        var body = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(scope.Length == 0 ? "invalid_request" : "invalid_scope", (string?)body["error"]);
    }

    [Theory]
    [InlineData("authorization_code")]
    [InlineData("implicit")]
    [InlineData("urn:ietf:params:oauth:grant-type:device_code")]
    public async Task TokenEndpoint_UnsupportedGrantType_Returns400(string grantType)
    {
        using var response = await client.PostFormAsync(IdentityApi.TokenUrl, new Dictionary<string, string> { ["grant_type"] = grantType, ["client_id"] = "cli" });

        var body = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("unsupported_grant_type", (string?)body["error"]);
    }

    [Fact]
    public async Task TokenEndpoint_NoGrantType_Returns400InvalidRequest()
    {
        using var response = await client.PostFormAsync(IdentityApi.TokenUrl, new Dictionary<string, string> { ["client_id"] = "cli" });

        var body = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request", (string?)body["error"]);
    }

    [Fact]
    public async Task TokenEndpoint_JsonInsteadOfForm_Returns400Json()
    {
        using var response = await client.PostJsonAsync(IdentityApi.TokenUrl, new JsonObject { ["grant_type"] = "password" });

        var body = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(body["error"]);
    }

    [Fact]
    public async Task RefreshGrant_ReturnsWorkingAccessTokenAndNewRefreshToken()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await IdentityApi.RefreshAsync(client, account.RefreshToken);
        var refreshed = await response.ExpectObjectAsync();

        Assert.Equal("Bearer", refreshed.RequireString("token_type"));
        Assert.Equal(3600, (int?)refreshed["expires_in"]);
        Assert.Equal("api offline_access", (string?)refreshed["scope"]);
        var rotated = refreshed.RequireString("refresh_token");
        Assert.NotEqual(account.RefreshToken, rotated);
        var (_, claims, _) = Jwt.Decode(refreshed.RequireString("access_token"));
        Assert.Equal(account.UserId, (string?)claims["sub"]);
        Assert.Equal(Jwt.Decode(account.AccessToken).Payload["device"]?.ToString(), (string?)claims["device"]);
        Assert.Equal("cli", (string?)claims["client_id"]);

        using var api = factory.CreateClient();
        api.DefaultRequestHeaders.Authorization = new("Bearer", refreshed.RequireString("access_token"));
        using var sync = await api.GetAsync("/api/sync?excludeDomains=true");
        await sync.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RefreshToken_Rotated_NewTokenWorksExactlyOnce()
    {
        var account = await TestAccount.CreateAsync(factory);
        using var first = await IdentityApi.RefreshAsync(client, account.RefreshToken);
        var second = (await first.ExpectObjectAsync()).RequireString("refresh_token");

        using var useSecond = await IdentityApi.RefreshAsync(client, second);
        await useSecond.ExpectStatusAsync(HttpStatusCode.OK);
        using var reuseSecond = await IdentityApi.RefreshAsync(client, second);

        var body = await reuseSecond.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", (string?)body["error"]);
    }

    [Fact]
    public async Task RefreshToken_ReusedAfterRotation_IsRefused()
    {
        var account = await TestAccount.CreateAsync(factory);
        using var rotate = await IdentityApi.RefreshAsync(client, account.RefreshToken);
        await rotate.ExpectStatusAsync(HttpStatusCode.OK);

        using var reuse = await IdentityApi.RefreshAsync(client, account.RefreshToken);

        var body = await reuse.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", (string?)body["error"]);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("access token")]
    public async Task RefreshToken_Unknown_IsRefusedWithInvalidGrant(string kind)
    {
        var account = await TestAccount.CreateAsync(factory);
        var refreshToken = kind switch
        {
            "garbage" => Fake.Base64(48),
            _ => account.AccessToken,
        };

        using var response = await IdentityApi.RefreshAsync(client, refreshToken);

        var body = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", (string?)body["error"]);
    }

    [Fact]
    public async Task PasswordGrant_SameDeviceTwice_LatestRefreshTokenWorks()
    {
        var account = Credentials.New();
        await IdentityApi.RegisterAsync(client, account);
        var device = Fake.DeviceIdentifier();

        var first = await IdentityApi.LoginAsync(client, account, device);
        var second = await IdentityApi.LoginAsync(client, account, device);

        Assert.Equal(Jwt.Decode(first.RequireString("access_token")).Payload["sub"]?.ToString(), Jwt.Decode(second.RequireString("access_token")).Payload["sub"]?.ToString());
        using var refresh = await IdentityApi.RefreshAsync(client, second.RequireString("refresh_token"));
        await refresh.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RefreshToken_ReusedAfterRotation_AlsoRevokesTheRotatedToken()
    {
        // Reuse of a consumed token signals a copied token (RFC 9700 §4.14.2): the server ends that device's session.
        var account = await TestAccount.CreateAsync(factory);
        using var rotate = await IdentityApi.RefreshAsync(client, account.RefreshToken);
        var rotated = (await rotate.ExpectObjectAsync()).RequireString("refresh_token");
        using (var reuse = await IdentityApi.RefreshAsync(client, account.RefreshToken))
        {
            await reuse.ExpectStatusAsync(HttpStatusCode.BadRequest);
        }

        using var useRotated = await IdentityApi.RefreshAsync(client, rotated);

        var body = await useRotated.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", (string?)body["error"]);
    }

    [Fact]
    public async Task TokenEndpoint_AcceptsEitherSpellingOfParameterNames()
    {
        // §4.3.1: the CLI mixes grant_type and deviceType; Vaultwarden accepts both spellings of each.
        var account = Credentials.New();
        await IdentityApi.RegisterAsync(client, account);
        var form = new Dictionary<string, string>
        {
            ["scope"] = "api offline_access",
            ["clientId"] = "cli",
            ["device_type"] = "25",
            ["device_identifier"] = Fake.DeviceIdentifier(),
            ["device_name"] = "linux",
            ["grantType"] = "password",
            ["username"] = account.Email,
            ["password"] = account.MasterPasswordHash,
        };

        using var login = await client.PostFormAsync(IdentityApi.TokenUrl, form);
        var token = await login.ExpectObjectAsync();
        using var refresh = await client.PostFormAsync(IdentityApi.TokenUrl, new Dictionary<string, string>
        {
            ["grantType"] = "refresh_token",
            ["clientId"] = "cli",
            ["refreshToken"] = token.RequireString("refresh_token"),
        });

        await refresh.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RefreshToken_UsedTwiceConcurrently_IsHonouredOnce()
    {
        var account = await TestAccount.CreateAsync(factory);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => IdentityApi.RefreshAsync(factory.CreateClient(), account.RefreshToken)));

        try
        {
            Assert.Single(attempts, r => r.StatusCode == HttpStatusCode.OK);
            Assert.All(attempts.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        }
        finally
        {
            foreach (var attempt in attempts)
            {
                attempt.Dispose();
            }
        }
    }
}
