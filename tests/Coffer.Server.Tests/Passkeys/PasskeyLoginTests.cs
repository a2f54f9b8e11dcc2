using System.Net;
using Coffer.Server.Abuse;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Passkeys;

/// <summary>
/// Logging in with a passkey (<c>bitwarden-sharing-features.md</c> §5.6): <c>grant_type=webauthn</c> with a software
/// authenticator, and every check the relying party owes: origin, RP id, user verification, single-use and expiring
/// challenges, the counter, the credential's owner and the user handle.
/// </summary>
public sealed class PasskeyLoginTests(PasskeyServer server) : IClassFixture<PasskeyServer>
{
    private readonly CofferFactory factory = server.Factory;

    [Fact]
    public async Task LogIn_WithAPrfPasskey_ReturnsTokensAndTheWebAuthnPrfOption()
    {
        var account = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();
        var (credential, saved) = await PasskeyApi.RegisterAsync(account, authenticator);

        using var response = await PasskeyApi.LogInAsync(factory.Anonymous(), authenticator, credential);

        var token = await response.ExpectObjectAsync();
        Assert.Equal(account.UserId, Jwt.Decode(token.RequireString("access_token")).Payload.RequireString("sub"));
        var prf = token["UserDecryptionOptions"]!["WebAuthnPrfOption"]!;
        Assert.Equal(saved.RequireString("encryptedUserKey"), prf.RequireString("EncryptedUserKey"));
        Assert.False(string.IsNullOrEmpty(prf.RequireString("EncryptedPrivateKey")));
        Assert.Equal(credential.IdText, prf.RequireString("CredentialId"));
        Assert.Equal("internal", (string?)prf["Transports"]![0]);
        Assert.Equal(account.Credentials.UserKey, token.RequireString("Key"));

        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.RequireString("access_token"));
        using var sync = await client.GetAsync("/api/sync?excludeDomains=true");
        await sync.ExpectSuccessAsync();
    }

    [Fact]
    public async Task LogIn_WithAPasskeyWithoutPrf_LogsIn_WithoutThePrfOption()
    {
        var account = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();
        var (credential, saved) = await PasskeyApi.RegisterAsync(account, authenticator, prf: false);
        Assert.Equal(2, (int?)saved["prfStatus"]);

        using var response = await PasskeyApi.LogInAsync(factory.Anonymous(), authenticator, credential);

        var token = await response.ExpectObjectAsync();
        Assert.Null(token["UserDecryptionOptions"]!["WebAuthnPrfOption"]);
        Assert.NotNull(token["UserDecryptionOptions"]!["MasterPasswordUnlock"]);
    }

    [Fact]
    public async Task LogIn_IsNotAskedForASecondFactor_EvenWithTotpOn()
    {
        var account = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();
        var (credential, _) = await PasskeyApi.RegisterAsync(account, authenticator);
        await TwoFactor.TwoFactorApi.EnableAsync(account);

        using var response = await PasskeyApi.LogInAsync(factory.Anonymous(), authenticator, credential);

        await response.ExpectObjectAsync();
    }

    [Fact]
    public async Task LogIn_FromAnotherOrigin_IsRefused()
    {
        var (authenticator, credential) = await PasskeyOfNewAccountAsync();
        var options = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());

        using var response = await PasskeyApi.GrantAsync(
            factory.Anonymous(), options.RequireString("token"), authenticator.Assert(credential, options["options"]!.AsObject(), origin: "https://evil.example"));

        await PasskeyApi.ExpectRefusedAsync(response);
    }

    [Fact]
    public async Task LogIn_ForAnotherRpId_IsRefused()
    {
        var (authenticator, credential) = await PasskeyOfNewAccountAsync();
        var options = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());

        using var response = await PasskeyApi.GrantAsync(
            factory.Anonymous(), options.RequireString("token"), authenticator.Assert(credential, options["options"]!.AsObject(), rpId: "evil.example"));

        await PasskeyApi.ExpectRefusedAsync(response);
    }

    [Fact]
    public async Task LogIn_WithoutUserVerification_IsRefused()
    {
        var (authenticator, credential) = await PasskeyOfNewAccountAsync();
        var options = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());

        using var response = await PasskeyApi.GrantAsync(
            factory.Anonymous(), options.RequireString("token"), authenticator.Assert(credential, options["options"]!.AsObject(), userVerified: false));

        await PasskeyApi.ExpectRefusedAsync(response);
    }

    [Fact]
    public async Task LogIn_Replayed_IsRefused_WithTheSameTokenOrAFreshOne()
    {
        var (authenticator, credential) = await PasskeyOfNewAccountAsync();
        var options = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());
        var assertion = authenticator.Assert(credential, options["options"]!.AsObject());
        using (var first = await PasskeyApi.GrantAsync(factory.Anonymous(), options.RequireString("token"), assertion))
        {
            await first.ExpectObjectAsync();
        }

        using var sameToken = await PasskeyApi.GrantAsync(factory.Anonymous(), options.RequireString("token"), assertion);
        await PasskeyApi.ExpectRefusedAsync(sameToken);

        // A fresh challenge does not make an old assertion (signed over the old challenge) valid.
        var fresh = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());
        using var freshToken = await PasskeyApi.GrantAsync(factory.Anonymous(), fresh.RequireString("token"), assertion);
        await PasskeyApi.ExpectRefusedAsync(freshToken);
    }

    [Fact]
    public async Task LogIn_WithTheCounterGoingBackwards_IsRefused()
    {
        var (authenticator, credential) = await PasskeyOfNewAccountAsync();
        using (var first = await PasskeyApi.LogInAsync(factory.Anonymous(), authenticator, credential))
        {
            await first.ExpectObjectAsync();
        }

        var options = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());
        // A cloned authenticator would sign with a counter the server has already seen.
        using var response = await PasskeyApi.GrantAsync(
            factory.Anonymous(), options.RequireString("token"), authenticator.Assert(credential, options["options"]!.AsObject(), counter: credential.Counter - 1));

        await PasskeyApi.ExpectRefusedAsync(response);
    }

    [Fact]
    public async Task LogIn_WithAnotherAccountsUserHandle_IsRefused()
    {
        var (authenticator, credential) = await PasskeyOfNewAccountAsync();
        var victim = await TestAccount.CreateAsync(factory);
        var options = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());

        using var response = await PasskeyApi.GrantAsync(
            factory.Anonymous(), options.RequireString("token"),
            authenticator.Assert(credential, options["options"]!.AsObject(), userHandle: Guid.Parse(victim.UserId).ToByteArray()));

        await PasskeyApi.ExpectRefusedAsync(response);
    }

    [Fact]
    public async Task LogIn_WithASecurityKeyRow_IsRefused_OnlyPasskeysLogIn()
    {
        var (authenticator, credential) = await PasskeyOfNewAccountAsync();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
            await db.WebAuthnCredentials.Where(c => c.CredentialId == credential.IdText)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Kind, Coffer.Server.TwoFactor.WebAuthnCredentialKind.SecurityKey));
        }

        using var response = await PasskeyApi.LogInAsync(factory.Anonymous(), authenticator, credential);

        await PasskeyApi.ExpectRefusedAsync(response);
    }

    [Fact]
    public async Task LogIn_WithADeletedPasskey_IsRefused()
    {
        var account = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();
        var (credential, saved) = await PasskeyApi.RegisterAsync(account, authenticator);
        using (var delete = await account.Client.PostJsonAsync($"{PasskeyApi.Url}/{saved.RequireString("id")}/delete", PasskeyApi.Proof(account)))
        {
            await delete.ExpectSuccessAsync();
        }

        using var response = await PasskeyApi.LogInAsync(factory.Anonymous(), authenticator, credential);

        await PasskeyApi.ExpectRefusedAsync(response);
        Assert.Empty(await PasskeyApi.ListAsync(account));
    }

    [Fact]
    public async Task LogIn_AfterTheChallengeExpired_IsRefused()
    {
        var (authenticator, credential) = await PasskeyOfNewAccountAsync();
        var options = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());
        var assertion = authenticator.Assert(credential, options["options"]!.AsObject());
        factory.Clock.Advance(TimeSpan.FromMinutes(2));

        using var response = await PasskeyApi.GrantAsync(factory.Anonymous(), options.RequireString("token"), assertion);

        await PasskeyApi.ExpectRefusedAsync(response);
    }

    [Fact]
    public async Task LogIn_OfADisabledAccount_IsRefused()
    {
        var (authenticator, credential) = await PasskeyOfNewAccountAsync();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
            var owner = (await db.WebAuthnCredentials.SingleAsync(c => c.CredentialId == credential.IdText)).UserId;
            await db.Users.Where(u => u.Id == owner).ExecuteUpdateAsync(s => s.SetProperty(u => u.Disabled, true));
        }

        using var response = await PasskeyApi.LogInAsync(factory.Anonymous(), authenticator, credential);

        await PasskeyApi.ExpectRefusedAsync(response);
    }

    [Fact]
    public async Task LogIn_FailuresLockTheAccount_LikeWrongPasswords()
    {
        var account = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();
        var (credential, _) = await PasskeyApi.RegisterAsync(account, authenticator);
        for (var i = 0; i < 10; i++)
        {
            var options = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());
            using var bad = await PasskeyApi.GrantAsync(
                factory.Anonymous(), options.RequireString("token"), authenticator.Assert(credential, options["options"]!.AsObject(), origin: "https://evil.example"));
            await PasskeyApi.ExpectRefusedAsync(bad);
        }

        using var passkey = await PasskeyApi.LogInAsync(factory.Anonymous(), authenticator, credential);
        var error = await passkey.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(LoginLockout.Message, error.RequireString("error_description"));
        using var password = await IdentityApi.PasswordGrantAsync(factory.Anonymous(), account.Email, account.Credentials.MasterPasswordHash, Fake.DeviceIdentifier());
        Assert.Equal(LoginLockout.Message, (await password.ExpectObjectAsync(HttpStatusCode.BadRequest)).RequireString("error_description"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"id\":\"x\",\"rawId\":\"x\",\"type\":\"public-key\",\"response\":{}}")]
    public async Task LogIn_WithAMalformedDeviceResponse_IsRefused_And400(string deviceResponse)
    {
        var options = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());

        using var response = await factory.Anonymous().PostFormAsync("/identity/connect/token", new Dictionary<string, string>
        {
            ["grant_type"] = "webauthn",
            ["scope"] = "api offline_access",
            ["client_id"] = "web",
            ["deviceType"] = "9",
            ["deviceIdentifier"] = Fake.DeviceIdentifier(),
            ["deviceName"] = "chrome",
            ["token"] = options.RequireString("token"),
            ["deviceResponse"] = deviceResponse,
        });

        var error = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Contains(error.RequireString("error"), new[] { "invalid_grant", "invalid_request" });
    }

    [Theory]
    [InlineData("authenticatorData", "AAAA")]
    [InlineData("signature", "AAAA")]
    [InlineData("clientDataJSON", "e30")]
    [InlineData("userHandle", "AAAA")]
    public async Task LogIn_WithAGarbledAssertion_IsRefused(string member, string value)
    {
        var (authenticator, credential) = await PasskeyOfNewAccountAsync();
        var options = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());
        var assertion = authenticator.Assert(credential, options["options"]!.AsObject());
        assertion["response"]![member] = value;

        using var response = await PasskeyApi.GrantAsync(factory.Anonymous(), options.RequireString("token"), assertion);

        await PasskeyApi.ExpectRefusedAsync(response);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("not-a-token")]
    public async Task LogIn_WithAnUnknownToken_IsRefused(string token)
    {
        var (authenticator, credential) = await PasskeyOfNewAccountAsync();
        var options = await PasskeyApi.LoginOptionsAsync(factory.Anonymous());

        using var response = await PasskeyApi.GrantAsync(factory.Anonymous(), token, authenticator.Assert(credential, options["options"]!.AsObject()));

        var error = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Contains(error.RequireString("error"), new[] { "invalid_grant", "invalid_request" });
    }

    [Fact]
    public async Task LoginOptions_AskForUserVerification_AndListNoCredentials()
    {
        var options = (await PasskeyApi.LoginOptionsAsync(factory.Anonymous()))["options"]!;

        Assert.Equal("required", (string?)options["userVerification"]);
        Assert.Equal("vault.example.test", (string?)options["rpId"]);
        Assert.Empty(options["allowCredentials"]?.AsArray() ?? []);
        Assert.True(Convert.FromBase64String(Base64(options.RequireString("challenge"))).Length >= 16);
    }

    [Fact]
    public async Task LoginOptions_WithoutPublicUrl_Return400()
    {
        await using var plain = new CofferFactory();

        using var response = await plain.Anonymous().GetAsync(PasskeyApi.LoginOptionsUrl);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Coffer:PublicUrl", error.RequireString("message"), StringComparison.Ordinal);
    }

    private async Task<(PasskeyAuthenticator Authenticator, PasskeyAuthenticator.Credential Credential)> PasskeyOfNewAccountAsync()
    {
        var account = await TestAccount.CreateAsync(factory);
        var authenticator = PasskeyServer.Authenticator();
        var (credential, _) = await PasskeyApi.RegisterAsync(account, authenticator);
        return (authenticator, credential);
    }

    private static string Base64(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
    }
}
