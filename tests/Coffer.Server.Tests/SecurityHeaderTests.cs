using System.Net;
using System.Text.RegularExpressions;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>The headers that tell a browser how little it may do with Coffer's responses, on every kind of response.</summary>
public sealed partial class SecurityHeaderTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private const string Csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    [Fact]
    public async Task Headers_ApiResponse_HasCspNosniffFrameDeny()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.GetAsync("/api/sync");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        AssertSecurityHeaders(response);
        Assert.Equal("no-store", Header(response, "Cache-Control"));
    }

    [Theory]
    [InlineData("GET", "/api/no/such/route")]
    [InlineData("GET", "/api/sync")]
    [InlineData("POST", "/identity/connect/token")]
    [InlineData("GET", "/alive")]
    [InlineData("GET", "/docs/index.html")]
    [InlineData("GET", "/docs/v1/openapi.json")]
    public async Task Headers_EveryKindOfResponse_CarriesThem(string method, string url)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);

        using var response = await factory.CreateClient().SendAsync(request);

        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Headers_OverHttps_IncludeHsts_AndNotOverHttp()
    {
        using var https = await factory.CreateClient().GetAsync("/alive");
        using var http = await factory.CreateClient(new() { BaseAddress = new Uri("http://localhost") }).GetAsync("/alive");

        Assert.Equal("max-age=31536000", Header(https, "Strict-Transport-Security"));
        Assert.False(http.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Docs_SwaggerUi_NeedsNoInlineScriptOrStyle()
    {
        var client = factory.CreateClient();

        using var page = await client.GetAsync("/docs/index.html");

        await page.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal(Csp, Header(page, "Content-Security-Policy"));
        var html = await page.Content.ReadAsStringAsync();
        // Under script-src 'self' and style-src 'self', anything inline is dead: the page must have none.
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotMatch(StyleElement(), html);
        Assert.DoesNotMatch(InlineAttribute(), html);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        var styles = Stylesheet().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, scripts.Count);
        Assert.NotEmpty(styles);
        foreach (var asset in scripts.Concat(styles))
        {
            // Relative, so same origin: 'self' admits it.
            Assert.DoesNotContain("//", asset, StringComparison.Ordinal);
            using var file = await client.GetAsync(new Uri(new Uri(client.BaseAddress!, "/docs/"), asset));
            await file.ExpectStatusAsync(HttpStatusCode.OK);
            if (asset.EndsWith(".css", StringComparison.Ordinal))
            {
                // Images in the stylesheets come from data: URIs (img-src 'self' data:), never from elsewhere.
                var css = await file.Content.ReadAsStringAsync();
                Assert.DoesNotMatch(RemoteUrl(), css);
            }
        }
    }

    [Fact]
    public async Task Headers_NoServerBanner_FromTheRealKestrel()
    {
        await using var server = new CofferFactory();
        server.Settings["urls"] = "http://127.0.0.1:0";
        server.UseKestrel();
        server.StartServer();
        using var client = server.CreateClient();
        Assert.Equal("127.0.0.1", client.BaseAddress!.Host);

        using var response = await client.GetAsync("/alive");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.False(response.Headers.Contains("Server"), "Kestrel announced itself");
        AssertSecurityHeaders(response);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal(Csp, Header(response, "Content-Security-Policy"));
        Assert.DoesNotContain("unsafe", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Opener-Policy"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Resource-Policy"));
        Assert.Contains("camera=()", Header(response, "Permissions-Policy"), StringComparison.Ordinal);
        Assert.Contains("microphone=()", Header(response, "Permissions-Policy"), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Server"));
        Assert.False(response.Headers.Contains("X-Powered-By"));
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{response.RequestMessage?.RequestUri} has no {name} header");

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"<style\b", RegexOptions.IgnoreCase)]
    private static partial Regex StyleElement();

    [GeneratedRegex(@"\s(style|on[a-z]+)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineAttribute();

    [GeneratedRegex(@"<script[^>]*\bsrc=""([^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();

    [GeneratedRegex(@"<link[^>]*rel=""stylesheet""[^>]*href=""([^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex Stylesheet();

    [GeneratedRegex(@"url\(\s*[""']?(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex RemoteUrl();
}
