using System.Net;
using System.Text.RegularExpressions;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// The web vault at <c>/</c>: its files with their policy and cache headers, <c>index.html</c> for app routes, and
/// the server's own route families untouched by that fallback.
/// </summary>
public sealed partial class WebVaultTests(WebVaultTests.Server server) : IClassFixture<WebVaultTests.Server>
{
    private const string Asset = "/assets/main-T3STHASH.js";

    /// <summary>A server whose web vault folder is a small stand-in, so these tests do not depend on an npm build.</summary>
    public sealed class Server : IDisposable
    {
        public Server()
        {
            Directory.CreateDirectory(Path.Combine(Folder, "assets"));
            File.WriteAllText(Path.Combine(Folder, "index.html"), """<!doctype html><html><head><script type="module" src="/assets/main-T3STHASH.js"></script></head><body><div id="app"></div></body></html>""");
            File.WriteAllText(Path.Combine(Folder, "assets", "main-T3STHASH.js"), "export {};");
            Factory.Settings["Coffer:WebVaultFolder"] = Folder;
        }

        public string Folder { get; } = CofferFactory.CreateTempFolder();

        public CofferFactory Factory { get; } = new();

        public void Dispose()
        {
            Factory.Dispose();
            Directory.Delete(Folder, recursive: true);
        }
    }

    private HttpClient Client => server.Factory.Anonymous();

    [Fact]
    public async Task Root_ServesTheVault_WithItsPolicy_AndIsRevalidatedEveryTime()
    {
        using var response = await Client.GetAsync("/");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<div id=\"app\">", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self' 'wasm-unsafe-eval';", policy, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain(" 'unsafe-eval'", policy, StringComparison.Ordinal);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task HashedAsset_IsServed_AndCachedForAYear()
    {
        using var response = await Client.GetAsync(Asset);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        var cache = response.Headers.CacheControl;
        Assert.NotNull(cache);
        Assert.True(cache.Public && cache.MaxAge == TimeSpan.FromDays(365), cache.ToString());
        Assert.Contains("immutable", cache.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/vault")]
    [InlineData("/item/0195f0e4-0000-7000-8000-000000000000")]
    [InlineData("/settings/two-step")]
    [InlineData("/admin")]
    [InlineData("/admin/")]
    public async Task AppRoute_ServesIndexHtml(string path)
    {
        using var response = await Client.GetAsync(path);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("/api/unknown", "application/json")]
    [InlineData("/identity/unknown", "application/json")]
    [InlineData("/api/ciphers/not-a-route/at-all", "application/json")]
    [InlineData("/notifications/unknown", "application/json")]
    [InlineData("/health/unknown", "application/problem+json")]
    [InlineData("/metrics/unknown", "application/problem+json")]
    [InlineData("/admin/api/unknown", "application/problem+json")]
    public async Task UnknownServerRoute_KeepsItsOwn404_NotTheApp(string path, string mediaType)
    {
        using var response = await Client.GetAsync(path);

        await response.ExpectStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ServerRoutes_StillAnswer_BesideTheVault()
    {
        using var alive = await Client.GetAsync("/alive");
        using var admin = await Client.GetAsync("/admin/api/users");
        using var docs = await Client.GetAsync("/docs/v1/openapi.json");

        await alive.ExpectJsonAsync();
        await admin.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        await docs.ExpectJsonAsync();
    }

    [Theory]
    [InlineData("/assets/")]
    [InlineData("/assets")]
    [InlineData("/assets/missing-0000.js")]
    [InlineData("/missing.js")]
    [InlineData("/attachments/00000000-0000-4000-8000-000000000001/abcdefghij0123456789?token=expired")]
    public async Task MissingFileOrFolder_Is404_WithNoListing(string path)
    {
        using var response = await Client.GetAsync(path);

        await response.ExpectStatusAsync(HttpStatusCode.NotFound);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("main-T3STHASH", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostToAnAppRoute_IsNotAnsweredWithTheApp()
    {
        using var response = await Client.PostAsync("/vault", new StringContent("x"));

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void VaultPage_HasNoInlineScriptStyleOrHandlers()
    {
        // The page template in web/ (the build only fills in the hashed file names): everything the strict
        // policy would block must be absent from it.
        var html = File.ReadAllText(Path.Combine(RepositoryRoot(), "web", "index.html"));

        Assert.Matches(@"<script type=""module"" src=""%SCRIPT%""></script>", html);
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"\son[a-z]+=", html);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Coffer.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Coffer.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
