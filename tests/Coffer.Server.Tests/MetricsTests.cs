using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Coffer.Server.Hosting;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coffer.Server.Tests;

/// <summary>
/// <c>/metrics</c> (OpenTelemetry's Prometheus exporter): text format 0.0.4, parsed line by line; counts move after
/// requests; each server counts its own requests even with several in one process.
/// </summary>
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
    public async Task Metrics_ServeRuntimeAndProcessMetrics()
    {
        var typed = Families(await ScrapeTextAsync(factory));

        Assert.Contains("dotnet_gc_collections_total", typed);
        Assert.Contains("dotnet_thread_pool_queue_length", typed);
        Assert.Contains("process_cpu_time_seconds_total", typed);
        Assert.Contains("process_memory_usage_bytes", typed);
    }

    [Fact]
    public async Task Metrics_ExportEveryInstrumentOnCoffersMeter()
    {
        await using var server = new CofferFactory();
        // An instrument added to Coffer's meter anywhere in the server (as a hub-connection gauge is) is exported
        // without being listed: the meter is exported whole.
        var meter = server.Services.GetRequiredService<IMeterFactory>().Create(CofferMetrics.MeterName);
        meter.CreateObservableGauge("coffer.metrics_test.level", () => 42, "{item}", "A gauge only this test creates");

        var scrape = await ScrapeAsync(server);

        Assert.Equal(42, Value(scrape, "coffer_metrics_test_level"));
    }

    [Fact]
    public async Task Metrics_OfAnotherServerInTheSameProcess_AreNotMixedIn()
    {
        await using var other = new CofferFactory();
        var account = await TestAccount.CreateAsync(other);
        var before = await ScrapeAsync();

        await IdentityApi.LoginAsync(other.CreateClient(), account.Credentials, Fake.DeviceIdentifier());

        var after = await ScrapeAsync();
        var otherAfter = await ScrapeAsync(other);
        Assert.True(Value(otherAfter, "coffer_logins_succeeded_total") >= 1);
        Assert.Equal(Value(before, "coffer_logins_succeeded_total"), Value(after, "coffer_logins_succeeded_total"));
    }

    [Fact]
    public async Task Metrics_ShowDatabasePoolUse_FromNpgsqlOnPostgreSql_AndNoneOnSqlite()
    {
        await TestAccount.CreateAsync(factory);

        var scrape = await ScrapeAsync();

        // Npgsql reports its pool (db.client.connection.*) by pool name; SQLite has no pool worth a gauge
        // (Microsoft.Data.Sqlite reports none), so nothing is invented for it.
        var pool = scrape.Keys.Where(k => k.StartsWith("db_client_connection", StringComparison.Ordinal)).ToList();
        if (TestDatabase.IsPostgres)
        {
            // The pool is named after its database, which is this server's own.
            var database = new NpgsqlConnectionStringBuilder(factory.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString).Database;
            var ours = pool.Where(k => k.Contains($"db_client_connection_pool_name=\"{database}\"", StringComparison.Ordinal)).ToList();
            Assert.Contains(ours, k => k.StartsWith("db_client_connection_count{", StringComparison.Ordinal) && k.Contains("db_client_connection_state=\"idle\"", StringComparison.Ordinal));
            Assert.Contains(ours, k => k.StartsWith("db_client_connection_max", StringComparison.Ordinal));
        }
        else
        {
            Assert.Empty(pool);
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

    [Fact]
    public async Task Metrics_ThroughATrustedProxy_JudgeTheRealClient()
    {
        // nginx on the same host: every request arrives from loopback, yet only the monitoring network may read.
        await using var proxied = new CofferFactory();
        proxied.Settings["Coffer:TrustedProxies:0"] = "127.0.0.1";
        proxied.Settings["Coffer:Metrics:AllowedNetworks:0"] = "192.0.2.0/24";
        var proxy = proxied.ClientFrom(IPAddress.Loopback);

        using var internet = await GetThroughProxyAsync(proxy, "203.0.113.7");
        using var monitoring = await GetThroughProxyAsync(proxy, "192.0.2.9");

        Assert.Equal(HttpStatusCode.Forbidden, internet.StatusCode);
        Assert.Equal("application/problem+json", internet.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, monitoring.StatusCode);
    }

    private static async Task<HttpResponseMessage> GetThroughProxyAsync(HttpClient proxy, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await proxy.SendAsync(request);
    }

    private Task<Dictionary<string, double>> ScrapeAsync() => ScrapeAsync(factory);

    private static async Task<string[]> ScrapeTextAsync(CofferFactory server)
    {
        using var response = await server.ClientFrom(IPAddress.Loopback).GetAsync("/metrics");
        await response.ExpectStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static HashSet<string> Families(string[] lines) =>
        lines.Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet();

    private static async Task<Dictionary<string, double>> ScrapeAsync(CofferFactory server) =>
        (await ScrapeTextAsync(server))
            .Where(l => !l.StartsWith('#'))
            .Select(l => SampleLine().Match(l))
            // `name{}` and `name` are the same series (the exporter writes the former for label-less ones).
            .ToDictionary(m => m.Groups["series"].Value.Replace("{}", "", StringComparison.Ordinal), m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    private static double Value(Dictionary<string, double> scrape, string series) => scrape.GetValueOrDefault(series);

    // name{label="value",...} number — the exposition format's sample line (no timestamps are written).
    [GeneratedRegex("""^(?<series>(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})?) (?<value>[-+]?(\d+(\.\d+)?([eE][-+]?\d+)?|Inf)|NaN)$""")]
    private static partial Regex SampleLine();
}
