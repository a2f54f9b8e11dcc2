using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Coffer.Server.Tests.TwoFactor.SecurityKeyApi;
using static Coffer.Server.Tests.TwoFactor.TwoFactorApi;

namespace Coffer.Server.Tests.TwoFactor;

/// <summary>
/// Security keys as a second factor (provider 7, <c>bitwarden-sharing-features.md</c> §5.2–§5.7, W-1…W-9) with a
/// software authenticator: registration, the login challenge and the assertion checks.
/// </summary>
public sealed class SecurityKeyTests(TwoFactorServer server) : IClassFixture<TwoFactorServer>
{
    private readonly CofferFactory factory = server.Factory;

    [Fact]
    public async Task RegisteredKey_LogsIn_AndIsListed()
    {
        var account = await TestAccount.CreateAsync(factory);
        using var key = new SoftwareAuthenticator(TwoFactorServer.PublicUrl);

        var registered = await RegisterAsync(account, key, slot: 2, name: "Desk key");

        Assert.True((bool)registered["webAuthn"]!["enabled"]!);
        var listed = Assert.Single(registered["webAuthn"]!["keys"]!.AsArray())!;
        Assert.Equal("Desk key", (string?)listed["name"]);
        Assert.Equal(2, (int)listed["id"]!);
        Assert.False((bool)listed["migrated"]!);
        Assert.Equal(registered["webAuthn"]!["keys"]!.ToJsonString(), registered["keys"]!.ToJsonString());

        var options = await LoginOptionsAsync(account);
        Assert.Equal("vault.coffer.test", (string?)options["rpId"]);
        Assert.Equal(key.CredentialIdBase64Url, (string?)Assert.Single(options["allowCredentials"]!.AsArray())!["id"]);

        var token = await LoginAsync(account, "7", key.Assert(options)).ExpectLoginAsync();
        Assert.False(string.IsNullOrEmpty(token.RequireString("access_token")));
        Assert.Equal([1002, 1000], (await EventTypesAsync(account)).Where(t => t is 1002 or 1000).TakeLast(2));
    }

    [Fact]
    public async Task Challenge_HasNestedAndFlatOptions_WithExcludeCredentialsAlwaysAnArray()
    {
        var account = await TestAccount.CreateAsync(factory);
        var token = await TokenAsync(account);

        var first = await ChallengeAsync(account, token);

        Assert.Equal("twoFactorWebAuthnChallenge", (string?)first["object"]);
        Assert.Equal("ok", (string?)first["status"]);
        Assert.Empty(first["options"]!["excludeCredentials"]!.AsArray());
        Assert.Empty(first["excludeCredentials"]!.AsArray());
        Assert.Equal("vault.coffer.test", (string?)first["options"]!["rp"]!["id"]);
        Assert.Equal((string?)first["options"]!["challenge"], (string?)first["challenge"]);
        Assert.Equal("discouraged", (string?)first["options"]!["authenticatorSelection"]!["userVerification"]);
        Assert.Equal("none", (string?)first["options"]!["attestation"]);

        using var key = new SoftwareAuthenticator(TwoFactorServer.PublicUrl);
        using (var put = await PutAsync(account, token, 1, "First", key.Register(first["options"]!.AsObject())))
        {
            await put.ExpectObjectAsync();
        }

        var second = await ChallengeAsync(account, token);
        Assert.Equal(key.CredentialIdBase64Url, (string?)Assert.Single(second["options"]!["excludeCredentials"]!.AsArray())!["id"]);
    }

    [Fact]
    public async Task Login_ReplayingAnAssertion_IsRefused() // W-1
    {
        var (account, key) = await AccountWithKeyAsync();
        var options = await LoginOptionsAsync(account);
        var assertion = key.Assert(options);
        await LoginAsync(account, "7", assertion).ExpectLoginAsync();

        await LoginAsync(account, "7", assertion).ExpectInvalidTokenAsync();
        await LoginOptionsAsync(account);
        await LoginAsync(account, "7", assertion).ExpectInvalidTokenAsync();
    }

    [Fact]
    public async Task Login_WithAnotherUsersKey_IsRefused() // W-2
    {
        var (account, _) = await AccountWithKeyAsync();
        var (_, othersKey) = await AccountWithKeyAsync();

        await LoginAsync(account, "7", othersKey.Assert(await LoginOptionsAsync(account))).ExpectInvalidTokenAsync();

        Assert.Contains(1006, await EventTypesAsync(account));
    }

    [Fact]
    public async Task Login_WithAnAssertionOverAnOlderChallenge_IsRefused() // W-3
    {
        var (account, key) = await AccountWithKeyAsync();
        var older = await LoginOptionsAsync(account);
        await LoginOptionsAsync(account);

        await LoginAsync(account, "7", key.Assert(older)).ExpectInvalidTokenAsync();
    }

    [Theory]
    [InlineData("https://evil.example", null)] // W-4
    [InlineData("https://vault.coffer.test:8443", null)]
    [InlineData(null, "evil.example")]
    [InlineData(null, "coffer.test")]
    public async Task Login_WithAWrongOriginOrRpId_IsRefused(string? origin, string? rpId)
    {
        var (account, key) = await AccountWithKeyAsync();

        await LoginAsync(account, "7", key.Assert(await LoginOptionsAsync(account), origin, rpId)).ExpectInvalidTokenAsync();

        // The options were used up by the refused answer; a fresh challenge and a right answer still log in.
        await LoginAsync(account, "7", key.Assert(await LoginOptionsAsync(account))).ExpectLoginAsync();
    }

    [Theory]
    [InlineData(5u)]
    [InlineData(10u)]
    public async Task Login_WithASignCounterThatDoesNotIncrease_IsRefused(uint counter)
    {
        var (account, key) = await AccountWithKeyAsync();
        await LoginAsync(account, "7", key.Assert(await LoginOptionsAsync(account), counter: 10)).ExpectLoginAsync();

        await LoginAsync(account, "7", key.Assert(await LoginOptionsAsync(account), counter: counter)).ExpectInvalidTokenAsync();
    }

    [Fact]
    public async Task Login_WithAnAuthenticatorWithoutCounter_Succeeds_EachTime()
    {
        var (account, key) = await AccountWithKeyAsync();
        key.Counter = 0;

        await LoginAsync(account, "7", key.Assert(await LoginOptionsAsync(account), counter: 0)).ExpectLoginAsync();
        await LoginAsync(account, "7", key.Assert(await LoginOptionsAsync(account), counter: 0)).ExpectLoginAsync();
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"id":"AAAA","response":{"authenticatorData":"AAAA","clientDataJson":"AAAA","signature":"AAAA"}}""")]
    public async Task Login_WithAMalformedAssertion_IsRefused(string token)
    {
        var (account, _) = await AccountWithKeyAsync();
        await LoginOptionsAsync(account);

        await LoginAsync(account, "7", token).ExpectInvalidTokenAsync();
    }

    [Fact]
    public async Task Login_WithADeletedKey_IsRefused_WhileTheOtherKeyWorks()
    {
        var (account, key) = await AccountWithKeyAsync();
        using var second = new SoftwareAuthenticator(TwoFactorServer.PublicUrl);
        await RegisterAsync(account, second, slot: 2);
        using (var deleted = await account.Client.SendJsonAsync(HttpMethod.Delete, "/api/two-factor/webauthn", new JsonObject { ["id"] = 1, ["userVerificationToken"] = await TokenAsync(account) }))
        {
            var remaining = await deleted.ExpectObjectAsync();
            Assert.Equal(2, (int)Assert.Single(remaining["webAuthn"]!["keys"]!.AsArray())!["id"]!);
        }

        var options = await LoginOptionsAsync(account);
        Assert.Equal(second.CredentialIdBase64Url, (string?)Assert.Single(options["allowCredentials"]!.AsArray())!["id"]);
        await LoginAsync(account, "7", key.Assert(options)).ExpectInvalidTokenAsync();
        await LoginAsync(account, "7", second.Assert(await LoginOptionsAsync(account))).ExpectLoginAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("forged.token")]
    public async Task Put_WithoutAValidProof_Returns400(string? token) // W-5
    {
        var account = await TestAccount.CreateAsync(factory);
        var challenge = await ChallengeAsync(account, await TokenAsync(account));
        using var key = new SoftwareAuthenticator(TwoFactorServer.PublicUrl);

        using var response = await PutAsync(account, token!, 1, "Key", key.Register(challenge["options"]!.AsObject()));

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("User verification failed.", (string?)error["message"]);
        Assert.Empty((await GetAsync(account))["keys"]!.AsArray());
    }

    [Fact]
    public async Task Put_WithTheLegacyMasterPasswordHash_Registers()
    {
        var account = await TestAccount.CreateAsync(factory);
        using var key = new SoftwareAuthenticator(TwoFactorServer.PublicUrl);
        using var challengeResponse = await account.Client.PostJsonAsync("/api/two-factor/get-webauthn-challenge", new JsonObject { ["masterPasswordHash"] = account.Credentials.MasterPasswordHash });
        var challenge = await challengeResponse.ExpectObjectAsync();

        using var response = await account.Client.PostJsonAsync("/api/two-factor/webauthn", new JsonObject
        {
            ["id"] = 1,
            ["name"] = "Old vault",
            ["masterPasswordHash"] = account.Credentials.MasterPasswordHash,
            ["deviceResponse"] = key.Register(challenge.AsObject()),
        });

        Assert.True((bool)(await response.ExpectObjectAsync())["enabled"]!);
    }

    [Fact]
    public async Task Put_WithoutPendingOptions_OrWithAnotherUsersOptions_Returns400() // W-6
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var othersChallenge = await ChallengeAsync(other, await TokenAsync(other));
        using var key = new SoftwareAuthenticator(TwoFactorServer.PublicUrl);
        var token = await TokenAsync(account);

        using (var skipped = await PutAsync(account, token, 1, "Key", key.Register(othersChallenge["options"]!.AsObject())))
        {
            await skipped.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        // With options of its own pending, an attestation over the other user's challenge still fails, and uses them up.
        await ChallengeAsync(account, token);
        using (var foreign = await PutAsync(account, token, 1, "Key", key.Register(othersChallenge["options"]!.AsObject())))
        {
            await foreign.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        Assert.Empty((await GetAsync(account))["keys"]!.AsArray());
    }

    [Fact]
    public async Task Put_ReplayingARegistration_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        using var key = new SoftwareAuthenticator(TwoFactorServer.PublicUrl);
        var token = await TokenAsync(account);
        var attestation = key.Register((await ChallengeAsync(account, token))["options"]!.AsObject());
        using (var first = await PutAsync(account, token, 1, "Key", attestation))
        {
            await first.ExpectObjectAsync();
        }

        using var again = await PutAsync(account, token, 2, "Key", attestation);

        await again.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Put_WithAWrongOrigin_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        using var key = new SoftwareAuthenticator(TwoFactorServer.PublicUrl);
        var token = await TokenAsync(account);

        using var response = await PutAsync(account, token, 1, "Key", key.Register((await ChallengeAsync(account, token))["options"]!.AsObject(), origin: "https://evil.example"));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task SixthKey_AndAReusedSlot_AreRefused() // W-7
    {
        var account = await TestAccount.CreateAsync(factory);
        List<SoftwareAuthenticator> keys = [.. Enumerable.Range(0, 6).Select(_ => new SoftwareAuthenticator(TwoFactorServer.PublicUrl))];
        try
        {
            await RegisterAsync(account, keys[0], slot: 1);
            var token = await TokenAsync(account);
            using (var reused = await PutAsync(account, token, 1, "Again", keys[1].Register((await ChallengeAsync(account, token))["options"]!.AsObject())))
            {
                var error = await reused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
                Assert.Contains("slot", (string?)error["message"], StringComparison.Ordinal);
            }

            using (var outOfRange = await PutAsync(account, token, 6, "Six", keys[1].Register((await ChallengeAsync(account, token))["options"]!.AsObject())))
            {
                await outOfRange.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            }

            for (var slot = 2; slot <= 5; slot++)
            {
                await RegisterAsync(account, keys[slot - 1], slot);
            }

            using var sixth = await account.Client.PostJsonAsync("/api/two-factor/get-webauthn-challenge", new JsonObject { ["userVerificationToken"] = token });
            var refused = await sixth.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Contains("At most 5", (string?)refused["message"], StringComparison.Ordinal);
            Assert.Equal(5, (await GetAsync(account))["webAuthn"]!["keys"]!.AsArray().Count);
        }
        finally
        {
            keys.ForEach(k => k.Dispose());
        }
    }

    [Fact]
    public async Task DeletingTheLastKey_TurnsProvider7Off() // W-8
    {
        var (account, _) = await AccountWithKeyAsync();
        Assert.True((bool)(await account.SyncAsync())["profile"]!["twoFactorEnabled"]!);
        Assert.Contains(7, await ProviderTypesAsync(account));

        using (var deleted = await account.Client.SendJsonAsync(HttpMethod.Delete, "/api/two-factor/webauthn", new JsonObject { ["id"] = 1, ["userVerificationToken"] = await TokenAsync(account) }))
        {
            var answer = await deleted.ExpectObjectAsync();
            Assert.False((bool)answer["webAuthn"]!["enabled"]!);
        }

        Assert.Empty(await ProviderTypesAsync(account));
        Assert.False((bool)(await account.SyncAsync())["profile"]!["twoFactorEnabled"]!);
        await LoginAsync(account).ExpectLoginAsync();
        Assert.Contains(1003, await EventTypesAsync(account));
    }

    [Fact]
    public async Task DeleteAll_RemovesEveryKey()
    {
        var (account, _) = await AccountWithKeyAsync();
        using var second = new SoftwareAuthenticator(TwoFactorServer.PublicUrl);
        await RegisterAsync(account, second, slot: 3);

        using var response = await account.Client.SendJsonAsync(HttpMethod.Delete, "/api/two-factor/webauthn/all", new JsonObject { ["userVerificationToken"] = await TokenAsync(account) });

        await response.ExpectStatusAsync(HttpStatusCode.NoContent);
        Assert.Empty((await GetAsync(account))["keys"]!.AsArray());
        await LoginAsync(account).ExpectLoginAsync();
    }

    [Fact]
    public async Task ManyWrongAnswers_AfterTheRightPassword_LockTheAccount() // W-9
    {
        var (account, key) = await AccountWithKeyAsync();
        for (var i = 0; i < 10; i++)
        {
            await LoginAsync(account, "7", "{\"id\":\"guess\"}").ExpectInvalidTokenAsync();
        }

        // Locked: refused before the password is even checked, so no challenge is issued; a well-formed answer is still refused.
        using var locked = await LoginAsync(account, "7", key.Assert(new JsonObject { ["challenge"] = SoftwareAuthenticator.Base64Url(new byte[16]) }));
        var error = await locked.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(AbuseApi.LockoutMessage, (string?)error["ErrorModel"]?["Message"]);
    }

    [Fact]
    public async Task RememberToken_AfterASecurityKeyLogin_SkipsTheChallenge()
    {
        var (account, key) = await AccountWithKeyAsync();
        var first = await LoginAsync(account, "7", key.Assert(await LoginOptionsAsync(account)), remember: "1").ExpectLoginAsync();

        await LoginAsync(account, "5", first.RequireString("TwoFactorToken")).ExpectLoginAsync();
    }

    [Fact]
    public async Task RecoveryCode_RemovesSecurityKeysWithEveryOtherProvider()
    {
        var (account, _) = await AccountWithKeyAsync();
        await EnableAsync(account);
        var code = await RecoveryCodeAsync(account);

        await LoginAsync(account, "8", code).ExpectLoginAsync();

        Assert.Empty(await ProviderTypesAsync(account));
        var id = Guid.Parse(account.UserId);
        await WithDbAsync(factory, async db => Assert.Equal(0, await db.WebAuthnCredentials.CountAsync(c => c.UserId == id)));
        await LoginAsync(account).ExpectLoginAsync();
    }

    [Fact]
    public async Task DeletingTheAccount_RemovesItsKeys()
    {
        var (account, _) = await AccountWithKeyAsync();

        using var response = await account.Client.SendJsonAsync(HttpMethod.Delete, "/api/accounts", AccountChanges.Secret(account.Credentials.MasterPasswordHash));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var id = Guid.Parse(account.UserId);
        await WithDbAsync(factory, async db =>
        {
            Assert.Equal(0, await db.WebAuthnCredentials.CountAsync(c => c.UserId == id));
            Assert.Equal(0, await db.WebAuthnChallenges.CountAsync(c => c.UserId == id));
        });
    }

    [Fact]
    public async Task WebAuthnRoutes_WithoutAPublicUrl_Answer400WithTheReason()
    {
        await using var plain = new CofferFactory();
        var account = await TestAccount.CreateAsync(plain);
        var token = await TokenAsync(account);

        using var response = await account.Client.PostJsonAsync("/api/two-factor/get-webauthn-challenge", new JsonObject { ["userVerificationToken"] = token });

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Coffer:PublicUrl", (string?)error["message"], StringComparison.Ordinal);
    }

    private async Task<(TestAccount Account, SoftwareAuthenticator Key)> AccountWithKeyAsync()
    {
        var account = await TestAccount.CreateAsync(factory);
        var key = new SoftwareAuthenticator(TwoFactorServer.PublicUrl);
        await RegisterAsync(account, key);
        return (account, key);
    }

    private static async Task<List<int>> ProviderTypesAsync(TestAccount account)
    {
        using var response = await account.Client.GetAsync("/api/two-factor");
        return [.. (await response.ExpectObjectAsync())["data"]!.AsArray().Select(p => (int)p!["type"]!)];
    }
}
