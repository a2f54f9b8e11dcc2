using System.Diagnostics;
using System.Net;

namespace Coffer.Bench;

public sealed record LoadOptions(int Connections, TimeSpan Warmup, TimeSpan Duration);

public sealed record LoadResult(
    string Name,
    long Requests,
    long Errors,
    double Seconds,
    double RequestsPerSecond,
    double P50Ms,
    double P99Ms,
    long ResponseBytes,
    string? FirstError,
    double? ServerCpuMsPerRequest = null,
    double P95Ms = double.NaN);

/// <summary>
/// A closed-loop load generator: N workers share one connection pool of N connections, and each sends its next
/// request as soon as the previous response has been read to the end. Only requests that start after the warm-up
/// and finish before the end count. Closed loop means latency × concurrency ≈ 1 / throughput, so p99 here is
/// the server's queueing at N outstanding requests, not an open-loop SLO figure.
/// </summary>
public static class LoadGenerator
{
    // Bounds: a worker stops at the deadline or after this many requests, whichever comes first,
    // and keeps at most this many latency samples (enough for any p99 on 2 cores).
    private const long MaxRequestsPerWorker = 5_000_000;
    private const int MaxSamplesPerWorker = 1_000_000;

    /// <summary>A client over <paramref name="connections"/> HTTP/1.1 connections; over HTTPS it accepts only the certificate of <paramref name="pinnedThumbprint"/>.</summary>
    public static HttpClient CreateClient(Uri baseAddress, int connections, string? pinnedThumbprint = null) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            SslOptions = pinnedThumbprint is null ? new() : new() { RemoteCertificateValidationCallback = (_, certificate, _, _) => Nginx.Pinned(certificate, pinnedThumbprint) },
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    // request is called once per request: an HttpRequestMessage cannot be sent twice.
    public static async Task<LoadResult> RunAsync(string name, HttpClient client, Func<HttpRequestMessage> request, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var measureFrom = options.Warmup;
        var measureTo = options.Warmup + options.Duration;
        var workers = Enumerable.Range(0, options.Connections)
            .Select(_ => Task.Run(() => Worker(client, request, clock, measureFrom, measureTo)))
            .ToArray();
        var results = await Task.WhenAll(workers);

        var samples = results.SelectMany(r => r.Samples).ToArray();
        Array.Sort(samples);
        var requests = results.Sum(r => r.Requests);
        var seconds = options.Duration.TotalSeconds;
        return new LoadResult(
            name,
            requests,
            results.Sum(r => r.Errors),
            seconds,
            requests / seconds,
            Percentile(samples, 0.50),
            Percentile(samples, 0.99),
            results.Max(r => r.ResponseBytes),
            results.Select(r => r.FirstError).FirstOrDefault(e => e is not null),
            P95Ms: Percentile(samples, 0.95));
    }

    private static async Task<WorkerResult> Worker(HttpClient client, Func<HttpRequestMessage> makeRequest, Stopwatch clock, TimeSpan measureFrom, TimeSpan measureTo)
    {
        var result = new WorkerResult();
        var buffer = new byte[64 * 1024];
        for (long i = 0; i < MaxRequestsPerWorker; i++)
        {
            var started = clock.Elapsed;
            if (started >= measureTo)
            {
                break;
            }

            var ok = false;
            long bytes = 0;
            string? error = null;
            try
            {
                using var request = makeRequest();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                await using var body = await response.Content.ReadAsStreamAsync();
                int read;
                while ((read = await body.ReadAsync(buffer)) > 0)
                {
                    bytes += read;
                }

                ok = response.IsSuccessStatusCode;
                error = ok ? null : $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                error = e.GetType().Name + ": " + e.Message;
            }

            var finished = clock.Elapsed;

            // Errors count in the warm-up too: the figure must be 0 for the whole run.
            if (!ok)
            {
                result.Errors++;
                result.FirstError ??= error;
                continue;
            }

            if (started < measureFrom || finished > measureTo)
            {
                continue;
            }

            result.Requests++;
            result.ResponseBytes = bytes;
            if (result.Samples.Count < MaxSamplesPerWorker)
            {
                result.Samples.Add((finished - started).Ticks);
            }
        }

        return result;
    }

    private static double Percentile(long[] sortedTicks, double p) =>
        sortedTicks.Length == 0
            ? double.NaN
            : TimeSpan.FromTicks(sortedTicks[Math.Min(sortedTicks.Length - 1, (int)Math.Ceiling(p * sortedTicks.Length) - 1)]).TotalMilliseconds;

    private sealed class WorkerResult
    {
        public List<long> Samples { get; } = [];
        public long Requests { get; set; }
        public long Errors { get; set; }
        public long ResponseBytes { get; set; }
        public string? FirstError { get; set; }
    }
}
