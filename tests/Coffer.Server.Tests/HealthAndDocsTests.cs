using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>Coffer's own operational routes: liveness, health and the API documentation.</summary>
public sealed class HealthAndDocsTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task Alive_Returns200()
    {
        using var response = await factory.CreateClient().GetAsync("/alive");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Health_Returns200JsonWithADatabaseCheck()
    {
        using var response = await factory.CreateClient().GetAsync("/health");

        var health = await response.ExpectJsonAsync();
        Assert.Contains("database", health!.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Docs_ServeSwaggerUi()
    {
        var client = factory.CreateClient();
        using var first = await client.GetAsync("/docs");
        using var response = first.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently
            ? await client.GetAsync(first.Headers.Location!)
            : null;
        var page = response ?? first;

        await page.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheProtocolRoutes()
    {
        using var response = await factory.CreateClient().GetAsync("/docs/v1/openapi.json");

        var document = await response.ExpectObjectAsync();
        var paths = Assert.IsType<JsonObject>(document["paths"]);
        foreach (var route in new[]
        {
            "/identity/connect/token",
            "/identity/accounts/prelogin/password",
            "/identity/accounts/register/finish",
            "/api/sync",
            "/api/accounts/revision-date",
            "/api/accounts/key-management/user-key-id",
            "/api/folders",
            "/api/ciphers",
            "/api/ciphers/import",
        })
        {
            Assert.True(paths.ContainsKey(route), $"{route} is not documented; documented: {string.Join(", ", paths.Select(p => p.Key))}");
        }
    }

    [Fact]
    public async Task Alive_And_Health_NeedNoToken()
    {
        var client = factory.CreateClient();

        using var alive = await client.GetAsync("/alive");
        using var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
