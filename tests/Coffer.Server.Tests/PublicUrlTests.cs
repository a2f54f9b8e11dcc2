using System.Net;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Tests;

/// <summary>
/// <c>Coffer:PublicUrl</c> (Hosting/PublicUrl.cs) and <c>Coffer:ApiDocs</c>: with a public URL, nothing in a response
/// comes from the request's Host header; with the docs off, <c>/docs</c> is a 404 in problem details, even beside
/// a web vault whose app fallback answers other unknown paths.
/// </summary>
public sealed class PublicUrlTests : IDisposable
{
    private const string Forged = "attacker.example";

    private readonly string vault = CofferFactory.CreateTempFolder();

    public PublicUrlTests() => File.WriteAllText(Path.Combine(vault, "index.html"), """<!doctype html><html><body><div id="app"></div></body></html>""");

    public void Dispose() => CofferFactory.DeleteFolder(vault);

    [Fact]
    public async Task Config_WithPublicUrl_AndAForgedHost_ReturnsTheConfiguredUrls()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:PublicUrl"] = "https://vault.example.com/";

        var config = await ConfigAsync(server, Forged);

        Assert.Equal("https://vault.example.com", config["environment"].RequireString("vault"));
        Assert.Equal("https://vault.example.com/api", config["environment"].RequireString("api"));
        Assert.Equal("https://vault.example.com/identity", config["environment"].RequireString("identity"));
        Assert.Equal("https://vault.example.com/notifications", config["environment"].RequireString("notifications"));
        Assert.Equal("https://vault.example.com", config["server"].RequireString("url"));
        Assert.DoesNotContain(Forged, config.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_WithAPublicUrlPath_KeepsThePath()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:PublicUrl"] = "https://example.com/vault";

        var config = await ConfigAsync(server, Forged);

        Assert.Equal("https://example.com/vault/api", config["environment"].RequireString("api"));
    }

    [Fact]
    public async Task Config_WithoutPublicUrl_FollowsTheRequest_AsBefore()
    {
        await using var server = new CofferFactory();

        var config = await ConfigAsync(server, "vault.internal:8443");

        Assert.Equal("https://vault.internal:8443", config["environment"].RequireString("vault"));
        Assert.Equal("https://vault.internal:8443/api", config["environment"].RequireString("api"));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/admin")]
    [InlineData("/admin/")]
    public async Task WebVaultPages_WithPublicUrl_AndAForgedHost_NeverEchoTheForgedHost(string path)
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:PublicUrl"] = "https://vault.example.com";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = Forged;

        using var response = await server.CreateClient().SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Forged, body, StringComparison.Ordinal);
        Assert.DoesNotContain(response.Headers.Concat(response.Content.Headers), h => h.Value.Any(v => v.Contains(Forged, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("vault.example.com")]
    [InlineData("ftp://vault.example.com")]
    [InlineData("https://vault.example.com/?x=1")]
    [InlineData("/relative")]
    public void PublicUrl_Invalid_StopsTheServerWithAMessageNamingTheKey(string value)
    {
        using var server = new CofferFactory();
        server.Settings["Coffer:PublicUrl"] = value;

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains("Coffer:PublicUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiDocsOff_DocsAndTheOpenApiDocument_Are404ProblemDetails_EvenBesideTheWebVault()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:ApiDocs"] = "false";
        server.Settings["Coffer:WebVaultFolder"] = vault;
        var client = server.CreateClient();

        foreach (var path in new[] { "/docs", "/docs/", "/docs/index.html", "/docs/v1/openapi.json" })
        {
            using var response = await client.GetAsync(path);
            await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        }

        // The vault's app fallback still answers its own routes.
        using var app = await client.GetAsync("/vault");
        await app.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ApiDocsOn_ByDefault_ServesTheOpenApiDocument_BesideTheWebVault()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:WebVaultFolder"] = vault;

        using var document = await server.CreateClient().GetAsync("/docs/v1/openapi.json");

        var json = await document.ExpectObjectAsync();
        Assert.NotNull(json["paths"]);
    }

    private static async Task<System.Text.Json.Nodes.JsonObject> ConfigAsync(CofferFactory server, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/config");
        request.Headers.Host = host;
        using var response = await server.CreateClient().SendAsync(request);
        return await response.ExpectObjectAsync();
    }
}
