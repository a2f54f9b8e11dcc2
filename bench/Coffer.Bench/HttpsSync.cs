using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;

namespace Coffer.Bench;

/// <summary>
/// The HTTPS sync yardstick of <c>http</c>: Coffer answers a 3,000-item sync over HTTPS (Kestrel, TLS 1.3) and
/// nginx serves the very same bytes over HTTPS with the same self-signed certificate (<see cref="Nginx"/>), loaded by
/// the same client over the same number of connections. Twice: without <c>Accept-Encoding</c> (identity, the figure of
/// issue 16) and with <c>Accept-Encoding: gzip</c>, where nginx serves Coffer's own gzip body (<c>gzip_static</c>), so
/// both again move the same bytes. The load generator reads compressed bodies without decompressing them.
/// </summary>
public sealed class HttpsSync : IDisposable
{
    public const string CofferIdentity = "sync-3000-https";
    public const string NginxIdentity = "nginx-3000-https";
    public const string CofferGzip = "sync-3000-https-gzip";
    public const string NginxGzip = "nginx-3000-https-gzip";

    /// <summary>The issue's target: Coffer req/s ÷ nginx req/s for the identity pair.</summary>
    public const double Target = 0.6;

    private const string SyncPath = "/api/sync?excludeDomains=true";
    private readonly string scratch;
    private readonly System.Diagnostics.Process nginx;

    private readonly int cofferPid;

    private HttpsSync(string scratch, System.Diagnostics.Process nginx, int cofferPid, HttpClient coffer, HttpClient yardstick, string compressedBy)
    {
        this.scratch = scratch;
        this.nginx = nginx;
        this.cofferPid = cofferPid;
        CofferClient = coffer;
        NginxClient = yardstick;
        CompressedBy = compressedBy;
    }

    public HttpClient CofferClient { get; }

    public HttpClient NginxClient { get; }

    /// <summary>Who made the gzip body both servers send: Coffer, or the bench (when Coffer answered identity).</summary>
    public string CompressedBy { get; }

    /// <summary>A scratch folder with the certificate both servers serve; pass <see cref="Certificate.Environment"/> and a port to Coffer.</summary>
    public sealed record Certificate(string Scratch, string Path, string KeyPath, string Thumbprint)
    {
        public Dictionary<string, string> Environment => Nginx.CofferCertificate(Path, KeyPath);
    }

    public static Certificate? Prepare()
    {
        if (Nginx.Executable is null)
        {
            Console.WriteLine("nginx is not installed: the HTTPS sync yardstick is skipped.");
            return null;
        }

        var scratch = Directory.CreateTempSubdirectory("coffer-bench-https-").FullName;
        var (path, key, thumbprint) = Nginx.WriteCertificate(scratch);
        return new Certificate(scratch, path, key, thumbprint);
    }

    /// <summary>
    /// Captures the 3,000-item sync from Coffer over HTTPS (identity and gzip) into nginx's root and starts nginx.
    /// </summary>
    public static async Task<HttpsSync> StartAsync(Certificate certificate, int cofferPid, int cofferHttpsPort, VaultClient.Account large, int connections)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var coffer = LoadGenerator.CreateClient(new Uri($"https://127.0.0.1:{cofferHttpsPort}"), connections, certificate.Thumbprint);
        var www = Directory.CreateDirectory(System.IO.Path.Combine(certificate.Scratch, "www")).FullName;
        var identity = await CaptureAsync(coffer, large, gzip: false);
        var gzip = await CaptureAsync(coffer, large, gzip: true);
        var compressedBy = "Coffer";
        if (!gzip.Gzip)
        {
            compressedBy = "the bench (Coffer answered identity)";
            gzip = (Compress(identity.Body), true);
        }

        await File.WriteAllBytesAsync(System.IO.Path.Combine(www, "sync.json"), identity.Body);
        await File.WriteAllBytesAsync(System.IO.Path.Combine(www, "sync.json.gz"), gzip.Body);
        var port = ServerProcess.FreePort();
        var process = Nginx.Start(certificate.Scratch, port, certificate.Path, certificate.KeyPath,
            "location = /sync.json { default_type \"application/json; charset=utf-8\"; gzip_static on; gzip_vary on; }");
        var yardstick = LoadGenerator.CreateClient(new Uri($"https://127.0.0.1:{port}"), connections, certificate.Thumbprint);
        return new HttpsSync(certificate.Scratch, process, cofferPid, coffer, yardstick, compressedBy);
    }

    /// <summary>Rounds per pair: the machine is shared, so Coffer and nginx take turns and meet the same background load.</summary>
    public const int Rounds = 5;

    public static IReadOnlyList<Scenario> Scenarios(VaultClient.Account large) =>
    [
        new(CofferIdentity, Bench.Target.CofferHttps, () => Request(SyncPath, large, gzip: false)),
        new(NginxIdentity, Bench.Target.NginxHttps, () => Request("/sync.json", null, gzip: false)),
        new(CofferGzip, Bench.Target.CofferHttps, () => Request(SyncPath, large, gzip: true)),
        new(NginxGzip, Bench.Target.NginxHttps, () => Request("/sync.json", null, gzip: true)),
    ];

    /// <summary>
    /// Runs each selected Coffer/nginx pair in <see cref="Rounds"/> alternating rounds of duration ÷ rounds each (the
    /// warm-up before the first round only), and sums each side's rounds: requests over measured seconds; p50 is the
    /// median of the rounds' p50, p99 the largest round p99. Each server's CPU time (utime + stime of /proc/PID/stat)
    /// over its rounds ÷ its requests is the cost figure that background load on the shared cores disturbs least.
    /// </summary>
    public async Task<IReadOnlyList<LoadResult>> RunAsync(IReadOnlyList<Scenario> selected, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(selected);
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<LoadResult>();
        foreach (var pair in selected.Chunk(2))
        {
            var rounds = pair.ToDictionary(s => s.Name, _ => new List<LoadResult>());
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var scenario in pair)
                {
                    var slice = options with { Warmup = round == 0 ? options.Warmup : TimeSpan.FromMilliseconds(300), Duration = options.Duration / Rounds };
                    var coffer = scenario.Target == Bench.Target.CofferHttps;
                    var pid = coffer ? cofferPid : nginx.Id;
                    var before = CpuTicks(pid);
                    var result = await LoadGenerator.RunAsync(scenario.Name, coffer ? CofferClient : NginxClient, scenario.Request, slice);
                    // The warm-up's and the tails' CPU counts too, against all requests completed (measured or not):
                    // approximately, the requests the load generator saw finish in the slice.
                    var ticks = CpuTicks(pid) - before;
                    rounds[scenario.Name].Add(result with { ServerCpuMsPerRequest = ticks * 1000.0 / TicksPerSecond / Math.Max(1, result.Requests * (slice.Warmup + slice.Duration) / slice.Duration) });
                }
            }

            foreach (var (name, parts) in rounds)
            {
                var seconds = parts.Sum(p => p.Seconds);
                var requests = parts.Sum(p => p.Requests);
                var result = new LoadResult(name, requests, parts.Sum(p => p.Errors), seconds, requests / seconds,
                    parts.Select(p => p.P50Ms).Order().ElementAt(parts.Count / 2), parts.Max(p => p.P99Ms), parts.Max(p => p.ResponseBytes),
                    parts.Select(p => p.FirstError).FirstOrDefault(e => e is not null),
                    parts.Select(p => p.ServerCpuMsPerRequest ?? double.NaN).Order().ElementAt(parts.Count / 2));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {result.RequestsPerSecond:#,0} req/s (rounds: {string.Join(", ", parts.Select(p => p.RequestsPerSecond.ToString("0", CultureInfo.InvariantCulture)))}), server CPU {result.ServerCpuMsPerRequest:0.00} ms/request (median of rounds), errors {result.Errors}"));
                results.Add(result);
            }
        }

        return results;
    }

    /// <summary>The section of bench/results/latest.md for this yardstick: the pairs and their ratios.</summary>
    public static void AppendSection(StringBuilder md, IReadOnlyList<LoadResult> loads)
    {
        ArgumentNullException.ThrowIfNull(md);
        ArgumentNullException.ThrowIfNull(loads);
        var pairs = new[] { (CofferIdentity, NginxIdentity, "identity"), (CofferGzip, NginxGzip, "gzip") }
            .Select(p => (Coffer: loads.FirstOrDefault(l => l.Name == p.Item1), Nginx: loads.FirstOrDefault(l => l.Name == p.Item2), Encoding: p.Item3))
            .Where(p => p.Coffer is not null && p.Nginx is not null)
            .ToList();
        if (pairs.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("## Sync of 3,000 items over HTTPS against nginx (same bytes, same certificate, TLS 1.3)");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{Rounds} alternating rounds per pair; CPU = the server process's CPU time per request (median of rounds), the figure shared cores disturb least."));
        md.AppendLine();
        md.AppendLine("| Response encoding | Coffer req/s | nginx req/s | body bytes | Coffer ÷ nginx | Coffer CPU ms/req | nginx CPU ms/req | nginx ÷ Coffer CPU | Target (req/s ratio) | Verdict |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var (coffer, yardstick, encoding) in pairs)
        {
            var ratio = coffer!.RequestsPerSecond / yardstick!.RequestsPerSecond;
            var clean = coffer.Errors == 0 && yardstick.Errors == 0;
            var (target, verdict) = encoding == "identity"
                ? (string.Create(CultureInfo.InvariantCulture, $"≥ {Target:0.0}"), clean && ratio >= Target ? "met" : "**MISSED**")
                : ("—", clean ? "reported" : "**MISSED**");
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {encoding} | {coffer.RequestsPerSecond:#,0} | {yardstick.RequestsPerSecond:#,0} | {coffer.ResponseBytes:#,0} | **{ratio:0.00}** | {coffer.ServerCpuMsPerRequest:0.00} | {yardstick.ServerCpuMsPerRequest:0.00} | {yardstick.ServerCpuMsPerRequest / coffer.ServerCpuMsPerRequest:0.00} | {target} | {verdict} |"));
        }
    }

    public void Dispose()
    {
        Nginx.Stop(nginx);
        CofferClient.Dispose();
        NginxClient.Dispose();
        Directory.Delete(scratch, recursive: true);
    }

    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>utime + stime of a process in clock ticks (proc(5), fields 14 and 15 of /proc/PID/stat).</summary>
    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static HttpRequestMessage Request(string path, VaultClient.Account? account, bool gzip)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (account is not null)
        {
            VaultClient.Authorize(request, account);
        }

        if (gzip)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }

        return request;
    }

    private static async Task<(byte[] Body, bool Gzip)> CaptureAsync(HttpClient coffer, VaultClient.Account large, bool gzip)
    {
        using var request = Request(SyncPath, large, gzip);
        using var response = await coffer.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentEncoding.Contains("gzip"));
    }

    private static byte[] Compress(byte[] body)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(body);
        }

        return buffer.ToArray();
    }
}
