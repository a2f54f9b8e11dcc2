using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Hosting;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text exposition format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/), from .NET's own System.Diagnostics.Metrics:
/// a <see cref="MeterListener"/> aggregates ASP.NET Core's <c>http.server.request.duration</c> histogram and
/// <c>http.server.active_requests</c>, and <see cref="CofferMetrics"/>' counters. Only instruments of this host's
/// <see cref="IMeterFactory"/> are read, so two servers in one process never mix their figures.
/// Request labels are the route template, method and status code only: never a raw path, which could hold ids.
/// Served to loopback and <c>Coffer:Metrics:AllowedNetworks</c> only (403 elsewhere).
/// </summary>
public sealed class PrometheusMetrics : IDisposable
{
    private static readonly string[] HostingMeters = ["Microsoft.AspNetCore.Hosting", CofferMetrics.MeterName];

    // The tags ASP.NET Core attaches that are bounded and safe to expose (route template, not path).
    private static readonly HashSet<string> RequestTags = ["http.request.method", "http.response.status_code", "http.route", "error.type"];

    // ASP.NET Core's advised buckets for request durations, in seconds (used when the instrument gives none).
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<Instrument, Family> families = new();

    public PrometheusMetrics(IMeterFactory meters)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && HostingMeters.Contains(instrument.Meter.Name))
            {
                families[instrument] = new Family(instrument);
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
    }

    public void Dispose() => listener.Dispose();

    /// <summary>The current figures as Prometheus text; families and series in a stable order.</summary>
    public string Render()
    {
        // Observable gauges (coffer.hub.connections) report when asked, here, once per scrape.
        listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var family in families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            family.Render(text);
        }

        return text.ToString();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (families.TryGetValue(instrument, out var family))
        {
            family.Record(value, Labels(instrument, tags));
        }
    }

    private static string Labels(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new List<string>();
        foreach (var (key, value) in tags)
        {
            if (instrument.Meter.Name == CofferMetrics.MeterName || RequestTags.Contains(key))
            {
                pairs.Add($"{key.Replace('.', '_')}=\"{Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")}\"");
            }
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) => double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One instrument: a counter/up-down counter (a sum per label set) or a histogram (buckets, sum, count).</summary>
    private sealed class Family(Instrument instrument)
    {
        private readonly bool histogram = instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal);
        private readonly bool observedGauge = instrument.GetType().Name.StartsWith("ObservableGauge", StringComparison.Ordinal);
        private readonly double[] buckets = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries?.ToArray() ?? DefaultBuckets;
        private readonly ConcurrentDictionary<string, Series> series = new();

        public string Name { get; } = MetricName(instrument);

        public void Record(double value, string labels)
        {
            var s = series.GetOrAdd(labels, _ => new Series(buckets.Length));
            lock (s)
            {
                // An observed gauge reports its current value, not an increment.
                s.Sum = observedGauge ? value : s.Sum + value;
                s.Count++;
                for (var i = 0; i < buckets.Length; i++)
                {
                    if (value <= buckets[i])
                    {
                        s.Buckets[i]++;
                    }
                }
            }
        }

        public void Render(StringBuilder text)
        {
            var type = histogram ? "histogram" : observedGauge || instrument.GetType().Name.StartsWith("UpDown", StringComparison.Ordinal) ? "gauge" : "counter";
            text.Append(CultureInfo.InvariantCulture, $"# HELP {Name} {Escape(instrument.Description ?? instrument.Name)}\n");
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {Name} {type}\n");
            if (!histogram && series.IsEmpty)
            {
                // A counter that has not counted yet still reads 0, so rate() and alerts see it from the start.
                text.Append(CultureInfo.InvariantCulture, $"{Name} 0\n");
            }

            foreach (var (labels, s) in series.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                lock (s)
                {
                    if (!histogram)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{Name}{Braces(labels)} {Number(s.Sum)}\n");
                        continue;
                    }

                    for (var i = 0; i < buckets.Length; i++)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{Name}_bucket{Braces(Join(labels, $"le=\"{Number(buckets[i])}\""))} {s.Buckets[i]}\n");
                    }

                    text.Append(CultureInfo.InvariantCulture, $"{Name}_bucket{Braces(Join(labels, "le=\"+Inf\""))} {s.Count}\n");
                    text.Append(CultureInfo.InvariantCulture, $"{Name}_sum{Braces(labels)} {Number(s.Sum)}\n");
                    text.Append(CultureInfo.InvariantCulture, $"{Name}_count{Braces(labels)} {s.Count}\n");
                }
            }
        }

        // OpenTelemetry's Prometheus naming: dots become underscores, the unit "s" becomes _seconds, counters end in _total.
        private static string MetricName(Instrument instrument)
        {
            var name = instrument.Name.Replace('.', '_');
            if (instrument.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal))
            {
                name += "_seconds";
            }

            return instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal) ? name + "_total" : name;
        }

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

        private static string Join(string labels, string label) => labels.Length == 0 ? label : labels + "," + label;
    }

    private sealed class Series(int buckets)
    {
        public double Sum { get; set; }

        public long Count { get; set; }

        public long[] Buckets { get; } = new long[buckets];
    }
}

/// <summary>Registers and maps <c>/metrics</c> (see <see cref="PrometheusMetrics"/>).</summary>
public static class MetricsEndpoint
{
    public static IServiceCollection AddCofferMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<CofferMetrics>();
        services.AddSingleton<PrometheusMetrics>();
        return services;
    }

    public static void MapMetrics(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Created now, not at the first scrape, so requests before the first scrape are counted too.
        _ = app.ServiceProvider.GetRequiredService<PrometheusMetrics>();
        app.MapGet("/metrics", (HttpContext context, PrometheusMetrics metrics, IOptions<ServerOptions> options) =>
                IsAllowed(context.Connection.RemoteIpAddress, options.Value.Metrics.AllowedNetworks)
                    ? Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8")
                    : Results.Problem(detail: "Metrics are served to loopback and Coffer:Metrics:AllowedNetworks only.", statusCode: StatusCodes.Status403Forbidden))
            .AllowAnonymous().WithTags("Health").WithSummary("Prometheus metrics (loopback and Coffer:Metrics:AllowedNetworks only)");
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
