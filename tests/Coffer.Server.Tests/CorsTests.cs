using System.Net;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>CORS is closed unless <c>Coffer:Cors:AllowedOrigins</c> names origins, and then open to exactly those.</summary>
public sealed class CorsTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private const string Extension = "chrome-extension://nngceckbapebfimnlniiiahkandclblb";

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("null")]
    [InlineData(Extension)]
    public async Task Cors_UnknownOrigin_GetsNoCorsHeaders(string origin)
    {
        var account = await TestAccount.CreateAsync(factory);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sync");
        request.Headers.Add("Origin", origin);

        using var simple = await account.Client.SendAsync(request);
        using var preflight = await Preflight(factory.CreateClient(), origin, "/api/sync");

        await simple.ExpectStatusAsync(HttpStatusCode.OK);
        AssertNoCorsHeaders(simple);
        AssertNoCorsHeaders(preflight);
        Assert.NotEqual(HttpStatusCode.NoContent, preflight.StatusCode);
    }

    [Fact]
    public async Task Cors_ConfiguredExtensionOrigin_IsAllowed_AndNoOtherOrigin()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:Cors:AllowedOrigins:0"] = Extension;
        server.Settings["Coffer:Cors:AllowedOrigins:1"] = "moz-extension://1c3a6b4e-7d0e-4f6a-9a39-0b8e7b2c5d11";
        var client = server.CreateClient();

        using var allowed = await Preflight(client, Extension, "/identity/connect/token");
        using var other = await Preflight(client, "https://evil.example", "/identity/connect/token");
        using var prelogin = await SendWithOrigin(client, Extension);
        using var otherPrelogin = await SendWithOrigin(client, "https://evil.example");

        await allowed.ExpectStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(Extension, Single(allowed, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Single(allowed, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        Assert.False(allowed.Headers.Contains("Access-Control-Allow-Credentials"), "bearer tokens need no credentials mode");
        AssertNoCorsHeaders(other);
        await prelogin.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal(Extension, Single(prelogin, "Access-Control-Allow-Origin"));
        await otherPrelogin.ExpectStatusAsync(HttpStatusCode.OK);
        AssertNoCorsHeaders(otherPrelogin);
    }

    private static async Task<HttpResponseMessage> Preflight(HttpClient client, string origin, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, url);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization, content-type, device-type");
        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> SendWithOrigin(HttpClient client, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, IdentityApi.PreloginUrl);
        request.Headers.Add("Origin", origin);
        request.Content = new StringContent($$"""{"email":"{{Fake.Email()}}"}""", System.Text.Encoding.UTF8, "application/json");
        return await client.SendAsync(request);
    }

    private static string Single(HttpResponseMessage response, string header) => Assert.Single(response.Headers.GetValues(header));

    private static void AssertNoCorsHeaders(HttpResponseMessage response) =>
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
}
