using System.Net;
using System.Text.RegularExpressions;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>The static admin page: served with the right types, no inline code, and a strict policy.</summary>
public sealed partial class AdminPageTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Theory]
    [InlineData("/admin/", "text/html")]
    [InlineData("/admin/index.html", "text/html")]
    [InlineData("/admin/admin.js", "text/javascript")]
    [InlineData("/admin/admin.css", "text/css")]
    public async Task AdminPage_AssetsAreServed_WithTheirContentTypes_AndAStrictPolicy(string url, string contentType)
    {
        using var response = await factory.Anonymous().GetAsync(url);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task AdminPage_WithoutTrailingSlash_RedirectsToThePage()
    {
        using var response = await factory.Anonymous().GetAsync("/admin");

        Assert.True(response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Found, response.StatusCode.ToString());
        Assert.Equal("/admin/", response.Headers.Location?.OriginalString.Replace("https://localhost", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdminPage_HasNoInlineScriptStyleOrHandlers()
    {
        var html = await factory.Anonymous().GetStringAsync("/admin/");

        Assert.Matches(@"<script type=""module"" src=""/admin/admin.js""></script>", html);
        Assert.Matches(@"<link rel=""stylesheet"" href=""/admin/admin.css"">", html);
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"\son[a-z]+=", html);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AdminScript_KeepsSecretsOutOfStorage_AndNeverUsesInnerHtml()
    {
        var script = await factory.Anonymous().GetStringAsync("/admin/admin.js");

        Assert.DoesNotContain(".innerHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("insertAdjacentHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("eval(", script, StringComparison.Ordinal);
        // The only stored value is the device identifier.
        Assert.Equal(2, Regex.Count(script, @"localStorage\."));
        Assert.DoesNotContain("sessionStorage", script, StringComparison.Ordinal);
        Assert.Contains("client_id: 'web'", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminPageFlow_WebClientLogin_ThenTheAdminApi()
    {
        var admin = await factory.CreateAdminAsync();
        var form = Payloads.PasswordGrant(admin.Email, admin.Credentials.MasterPasswordHash, Fake.DeviceIdentifier());
        form["client_id"] = "web";
        form["deviceType"] = "21";
        using var login = await factory.Anonymous().PostFormAsync(IdentityApi.TokenUrl, form);
        var token = (await login.ExpectObjectAsync()).RequireString("access_token");
        var client = factory.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        foreach (var url in new[] { "/admin/api/users", "/admin/api/invitations", "/admin/api/settings", "/admin/api/audit/verify" })
        {
            using var response = await client.GetAsync(url);
            await response.ExpectJsonAsync();
        }
    }

    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
