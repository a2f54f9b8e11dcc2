using System.Net;
using System.Net.Sockets;
using System.Text;
using Coffer.Server.Hosting;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Coffer.Server.Tests;

/// <summary>
/// OTLP export is on only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: then metrics are pushed there; without it
/// no exporter opens a connection, even when the per-signal endpoint variables point at a listening collector.
/// The "collector" is a TCP listener on 127.0.0.1 that records the request lines it receives.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Otlp_WithEndpointSet_PushesMetricsThere()
    {
        using var collector = new Collector();
        await using var factory = new CofferFactory();
        factory.Settings[Telemetry.OtlpEndpoint] = collector.Url;
        factory.Settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        factory.Settings["OTEL_METRIC_EXPORT_INTERVAL"] = "200";

        using var alive = await factory.CreateClient().GetAsync("/alive");

        var request = await collector.NextRequestLineAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("POST /v1/metrics HTTP/1.1", request);
        Assert.NotNull(factory.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task Otlp_WithoutEndpoint_NoExporterConnects()
    {
        using var collector = new Collector();
        await using var factory = new CofferFactory();
        // What an always-on exporter would follow: only OTEL_EXPORTER_OTLP_ENDPOINT turns export on.
        factory.Settings["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = collector.Url + "/v1/metrics";
        factory.Settings["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = collector.Url + "/v1/traces";
        factory.Settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        factory.Settings["OTEL_METRIC_EXPORT_INTERVAL"] = "200";

        for (var i = 0; i < 3; i++)
        {
            using var alive = await factory.CreateClient().GetAsync("/alive");
            await alive.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Null(await collector.NextRequestLineOrNullAsync(TimeSpan.FromSeconds(3)));
        Assert.Null(factory.Services.GetService<TracerProvider>());
    }

    private sealed class Collector : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);

        public Collector() => listener.Start();

        public string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

        public void Dispose() => listener.Dispose();

        public async Task<string> NextRequestLineAsync(TimeSpan timeout) =>
            await NextRequestLineOrNullAsync(timeout) ?? throw new TimeoutException($"No OTLP request within {timeout}.");

        public async Task<string?> NextRequestLineOrNullAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                using var client = await listener.AcceptTcpClientAsync(cancel.Token);
                using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
                return await reader.ReadLineAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }
}
