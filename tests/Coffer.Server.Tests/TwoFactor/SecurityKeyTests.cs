using Coffer.Server.Tests.Infrastructure;
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
    }
}
