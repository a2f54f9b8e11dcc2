using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Coffer.Server.Hosting;

/// <summary>
/// Metrics and traces on OpenTelemetry (https://opentelemetry.io/docs/languages/dotnet/). <c>GET /metrics</c> serves
/// Prometheus text format 0.0.4 (or OpenMetrics 1.0 when the scraper asks for it) through OpenTelemetry's Prometheus
/// exporter, to loopback and <c>Coffer:Metrics:AllowedNetworks</c> only (403 problem details elsewhere). When
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (environment or configuration), and only then, traces and metrics are
/// also pushed there over OTLP, configured by the standard <c>OTEL_*</c> variables.
/// </summary>
public static class Telemetry
{
    /// <summary>The standard OTLP exporter variable (https://opentelemetry.io/docs/specs/otel/protocol/exporter/).</summary>
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    // Meters each host creates through its own IMeterFactory. They are enabled for the local scope only, so two
    // servers in one process (the test suite) never mix their figures; process-wide meters (runtime, process,
    // Npgsql) are added to the provider as usual. Coffer's meter is exported whole: every instrument on it.
    private static readonly string[] HostMeters =
    [
        CofferMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.SignalR",
    ];

    // The request tags that are bounded and safe to expose: the route template, never the raw path (ids).
    private static readonly string[] RequestTags = ["http.request.method", "http.response.status_code", "http.route", "error.type"];

    // OpenTelemetry's Prometheus exporter registers its metrics listener under this name (OpenTelemetryMetricsListener).
    private const string ListenerName = "OpenTelemetry";

    public static IServiceCollection AddCofferTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddCofferMetrics();
        services.AddMetrics(metrics =>
        {
            foreach (var meter in HostMeters)
            {
                metrics.EnableMetrics(meter, instrumentName: null, listenerName: ListenerName, scopes: MeterScope.Local);
            }
        });

        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpoint]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("coffer", serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics.AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddView("http.server.request.duration", new MetricStreamConfiguration { TagKeys = RequestTags })
                    .AddPrometheusExporter(prometheus =>
                    {
                        // Every scrape sees the figures of that moment (the default caches a response for 300 ms).
                        prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                        prometheus.ScopeInfoEnabled = false;
                    });
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter());
        }

        return services;
    }

    public static void MapMetrics(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: metrics => metrics.Use(async (context, next) =>
        {
            // After UseTrustedProxies, so behind a trusted proxy this is the real client's address.
            var networks = context.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value.Metrics.AllowedNetworks;
            if (IsAllowed(context.Connection.RemoteIpAddress, networks))
            {
                await next(context);
                return;
            }

            await Results.Problem(detail: "Metrics are served to loopback and Coffer:Metrics:AllowedNetworks only.", statusCode: StatusCodes.Status403Forbidden)
                .ExecuteAsync(context);
        }), optionsName: null).AllowAnonymous();
    }

    /// <summary>Loopback always; otherwise only addresses inside one of <paramref name="networks"/> (CIDR).</summary>
    internal static bool IsAllowed(IPAddress? address, string[] networks)
    {
        if (address is null)
        {
            return false;
        }

        address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return IPAddress.IsLoopback(address) || networks.Any(n => System.Net.IPNetwork.Parse(n).Contains(address));
    }
}
