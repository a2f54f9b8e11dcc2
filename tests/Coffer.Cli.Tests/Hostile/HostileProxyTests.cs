using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Coffer.Cli.Tests.Cli;
using Coffer.Cli.Tests.EndToEnd;
using Coffer.Testing.Hostile;

namespace Coffer.Cli.Tests.Hostile;

/// <summary>The test harness itself: the hostile proxy forwards honestly when disarmed, rewrites when armed, and records.</summary>
public sealed class HostileProxyTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Disarmed_ForwardsEverything_AndRecordsEveryRequestWithoutThePassword()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var cli = new CliRun();
        const string password = "correct horse battery staple 42";
        await cli.LoginNewAccountAsync(proxy.BaseAddress, password);
        await cli.OkAsync("add", "login", "--name", "Bank", "--username", "ann", "--password", "Pa55-unique-secret", "--passwordenv", "MP");

        Assert.NotEmpty(proxy.Requests("POST", "^/identity/connect/token$"));
        Assert.NotEmpty(proxy.Requests("POST", "^/api/ciphers"));
        Assert.Empty(proxy.Leaks(Secret.Text("master password", password), Secret.Text("item password", "Pa55-unique-secret")));
        Assert.Contains("Bank", await cli.OkAsync("list", "--passwordenv", "MP"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leaks_FindsASecretSentAsJsonEscapedBase64()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var http = new HttpClient { BaseAddress = proxy.BaseAddress };
        byte[] key = [0xFB, 0xEF, 0xFF, 0x01, 0x02, 0x03, 0xFE, 0xFF];
        using var _ = await http.PostAsJsonAsync("/api/accounts/prelogin", new { email = Convert.ToBase64String(key) });

        Assert.Single(proxy.Leaks(Secret.Key("key", key)));
        Assert.Empty(proxy.Leaks(Secret.Key("other", [1, 2, 3, 4, 5, 6, 7, 8])));
    }

    [Fact]
    public async Task Armed_RewritesOnlyTheMatchingOccurrence_AndDisarmRestoresTheHonestAnswer()
    {
        await using var proxy = await HostileProxy.StartAsync(server.BaseUrl);
        using var http = new HttpClient { BaseAddress = proxy.BaseAddress };
        proxy.Arm(new HostileScenario("config-old-version", HostileRule.Rewrite("GET", "^/api/config$", body =>
        {
            body!["version"] = "2023.1.0";
            return body;
        }) with
        { Occurrence = 2 }));

        var first = await http.GetFromJsonAsync<JsonObject>("/api/config");
        var second = await http.GetFromJsonAsync<JsonObject>("/api/config");
        proxy.Disarm();
        var third = await http.GetFromJsonAsync<JsonObject>("/api/config");

        Assert.NotEqual("2023.1.0", (string?)first!["version"]);
        Assert.Equal("2023.1.0", (string?)second!["version"]);
        Assert.Equal((string?)first["version"], (string?)third!["version"]);
        Assert.Equal(3, proxy.Requests("GET", "^/api/config$").Count);
    }
}
