using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary><c>/metrics</c>: Prometheus text format 0.0.4, parsed line by line; counts move after requests.</summary>
public sealed partial class MetricsTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task Metrics_CountRequestsByRouteTemplate_NeverByRawPath()
    {
        var account = await TestAccount.CreateAsync(factory);
        var id = (await account.CreateCipherAsync()).RequireString("id");
        var before = await ScrapeAsync();
        var route = "http_route=\"/api/ciphers/{id}\"";

        for (var i = 0; i < 3; i++)
        {
            using var response = await account.Client.GetAsync($"/api/ciphers/{id}");
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var after = await ScrapeAsync();
        var series = $"http_server_request_duration_seconds_count{{http_request_method=\"GET\",http_response_status_code=\"200\",{route}}}";
        Assert.Equal(Value(before, series) + 3, Value(after, series));
        Assert.True(Value(after, $"http_server_request_duration_seconds_bucket{{http_request_method=\"GET\",http_response_status_code=\"200\",{route},le=\"+Inf\"}}") >= 3);
        Assert.DoesNotContain(after.Keys, k => k.Contains(id, StringComparison.OrdinalIgnoreCase) || k.Contains(account.UserId, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Metrics_CountSucceededAndFailedLogins()
    {
        var account = await TestAccount.CreateAsync(factory);
        var before = await ScrapeAsync();

        await IdentityApi.LoginAsync(factory.CreateClient(), account.Credentials, Fake.DeviceIdentifier());
        using (var wrong = await IdentityApi.PasswordGrantAsync(factory.CreateClient(), account.Email, Fake.MasterPasswordHash(), Fake.DeviceIdentifier()))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        var after = await ScrapeAsync();
        Assert.Equal(Value(before, "coffer_logins_succeeded_total") + 1, Value(after, "coffer_logins_succeeded_total"));
        Assert.Equal(Value(before, "coffer_logins_failed_total") + 1, Value(after, "coffer_logins_failed_total"));
    }

    [Fact]
    public async Task Metrics_CountRateLimitedRequests()
    {
        await using var limited = new CofferFactory();
        limited.Settings["Coffer:RateLimits:PreloginPerAccount:Limit"] = "2";
        var client = limited.CreateClient();
        var before = await ScrapeAsync(limited);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await AbuseApi.PreloginAsync(client, "metrics@example.com");
            statuses.Add(response.StatusCode);
        }

        var after = await ScrapeAsync(limited);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(Value(before, "coffer_rate_limited_requests_total") + 1, Value(after, "coffer_rate_limited_requests_total"));
    }

    [Fact]
    public async Task Metrics_GaugeOpenHubConnectionsByHub()
    {
        await using var server = new CofferFactory();
        var account = await TestAccount.CreateAsync(server);
        var before = await ScrapeAsync(server);

        await using (await Notifications.LiveSyncClient.ConnectAsync(server, account.AccessToken))
        {
            var during = await ScrapeAsync(server);

            Assert.Equal(0, Value(before, "coffer_hub_connections{hub=\"authenticated\"}"));
            Assert.Equal(1, Value(during, "coffer_hub_connections{hub=\"authenticated\"}"));
            Assert.Equal(0, Value(during, "coffer_hub_connections{hub=\"anonymous\"}"));
        }
    }

    [Fact]
    public async Task Metrics_AreTextFormat004_WithHelpAndTypeForEveryFamily()
    {
        await TestAccount.CreateAsync(factory);

        using var response = await factory.ClientFrom(IPAddress.Loopback).GetAsync("/metrics");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var typed = lines.Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet();
        Assert.Contains("http_server_request_duration_seconds", typed);
        Assert.Contains("coffer_logins_succeeded_total", typed);
        foreach (var sample in lines.Where(l => !l.StartsWith('#')))
        {
            var match = SampleLine().Match(sample);
            Assert.True(match.Success, $"not a sample line: {sample}");
            var family = match.Groups["name"].Value;
            Assert.Contains(typed, t => family == t || family.StartsWith(t + "_", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Metrics_FromOutsideTheAllowedNetworks_Returns403()
    {
        using var response = await factory.ClientFrom(IPAddress.Parse("203.0.113.7")).GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Metrics_FromAConfiguredNetwork_AreServed()
    {
        await using var configured = new CofferFactory();
        configured.Settings["Coffer:Metrics:AllowedNetworks:0"] = "203.0.113.0/24";

        using var inside = await configured.ClientFrom(IPAddress.Parse("203.0.113.7")).GetAsync("/metrics");
        using var outside = await configured.ClientFrom(IPAddress.Parse("198.51.100.7")).GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
    }

    private Task<Dictionary<string, double>> ScrapeAsync() => ScrapeAsync(factory);

    private static async Task<Dictionary<string, double>> ScrapeAsync(CofferFactory server)
    {
        using var response = await server.ClientFrom(IPAddress.Loopback).GetAsync("/metrics");
        await response.ExpectStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => SampleLine().Match(l))
            .ToDictionary(m => m.Groups["series"].Value, m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    private static double Value(Dictionary<string, double> scrape, string series) => scrape.GetValueOrDefault(series);

    // name{label="value",...} number — the exposition format's sample line (no timestamps are written).
    [GeneratedRegex("""^(?<series>(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})?) (?<value>[-+]?(\d+(\.\d+)?([eE][-+]?\d+)?|Inf)|NaN)$""")]
    private static partial Regex SampleLine();
}
