using System.Net;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.TwoFactor;

namespace Coffer.Server.Tests;

/// <summary>
/// <c>/admin</c> is the web vault's admin screen: the vault's <c>index.html</c> under the vault's strict policy (the
/// page reads its path), while <c>/admin/api</c> stays the API. The old stand-alone page and its scripts are gone.
/// </summary>
public sealed class AdminPageTests(WebVaultTests.Server server) : IClassFixture<WebVaultTests.Server>
{
    private CofferFactory Factory => server.Factory;

    [Theory]
    [InlineData("/admin")]
    [InlineData("/admin/")]
    [InlineData("/admin/accounts")]
    public async Task AdminAddress_ServesTheWebVault_WithItsStrictPolicy(string path)
    {
        using var response = await Factory.Anonymous().GetAsync(path);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<div id=\"app\">", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self' 'wasm-unsafe-eval';", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("/admin/admin.js")]
    [InlineData("/admin/admin.css")]
    [InlineData("/admin/index.html")]
    public async Task OldAdminPageFiles_AreGone(string path)
    {
        using var response = await Factory.Anonymous().GetAsync(path);

        await response.ExpectStatusAsync(HttpStatusCode.NotFound);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/admin/api/users", HttpStatusCode.Unauthorized)]
    [InlineData("/admin/api/unknown", HttpStatusCode.NotFound)]
    public async Task AdminApi_IsNeverAnsweredWithThePage(string path, HttpStatusCode expected)
    {
        using var response = await Factory.Anonymous().GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AdminScreenFlow_WebClientLoginWithCode_ThenProof_ThenTheAdminApi()
    {
        var admin = await TestAccount.CreateAsync(Factory);
        var key = await TwoFactorApi.EnableAsync(admin);
        await Factory.SetAdminAsync(admin.UserId, true);
        var login = await TwoFactorApi.LoginAsync(admin, "0", TwoFactorApi.Code(Factory, key, 1), device: Fake.DeviceIdentifier()).ExpectLoginAsync();
        var client = Factory.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", login.RequireString("access_token"));
        using (var unproved = await client.GetAsync("/admin/api/users"))
        {
            await unproved.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        }

        using (var session = await client.PostJsonAsync("/admin/api/session", new System.Text.Json.Nodes.JsonObject { ["masterPasswordHash"] = admin.Credentials.MasterPasswordHash }))
        {
            client.UseAdminProof((await session.ExpectObjectAsync()).RequireString("proof"));
        }

        foreach (var url in new[] { "/admin/api/users", "/admin/api/invitations", "/admin/api/settings", "/admin/api/audit/verify" })
        {
            using var response = await client.GetAsync(url);
            await response.ExpectJsonAsync();
        }
    }
}
