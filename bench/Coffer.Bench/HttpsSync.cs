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

    /// <summary>The target: Coffer req/s ÷ nginx req/s for the identity pair.</summary>
    public const double Target = 0.6;

    private const string SyncPath = "/api/sync?excludeDomains=true";
    private readonly string scratch;
    private readonly System.Diagnostics.Process nginx;

    private HttpsSync(string scratch, System.Diagnostics.Process nginx, HttpClient coffer, HttpClient yardstick, string compressedBy)
    {
        this.scratch = scratch;
        this.nginx = nginx;
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
    public static async Task<HttpsSync> StartAsync(Certificate certificate, int cofferHttpsPort, VaultClient.Account large, int connections)
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
        return new HttpsSync(certificate.Scratch, process, coffer, yardstick, compressedBy);
    }

    public static IReadOnlyList<Scenario> Scenarios(VaultClient.Account large) =>
    [
        new(CofferIdentity, Bench.Target.CofferHttps, () => Request(SyncPath, large, gzip: false)),
        new(NginxIdentity, Bench.Target.NginxHttps, () => Request("/sync.json", null, gzip: false)),
        new(CofferGzip, Bench.Target.CofferHttps, () => Request(SyncPath, large, gzip: true)),
        new(NginxGzip, Bench.Target.NginxHttps, () => Request("/sync.json", null, gzip: true)),
    ];

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
        md.AppendLine("| Response encoding | Coffer req/s | nginx req/s | body bytes | Coffer ÷ nginx | Target | Verdict |");
        md.AppendLine("|---|---:|---:|---:|---:|---|---|");
        foreach (var (coffer, yardstick, encoding) in pairs)
        {
            var ratio = coffer!.RequestsPerSecond / yardstick!.RequestsPerSecond;
            var clean = coffer.Errors == 0 && yardstick.Errors == 0;
            var (target, verdict) = encoding == "identity"
                ? (string.Create(CultureInfo.InvariantCulture, $"≥ {Target:0.0}"), clean && ratio >= Target ? "met" : "**MISSED**")
                : ("—", clean ? "reported" : "**MISSED**");
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {encoding} | {coffer.RequestsPerSecond:#,0} | {yardstick.RequestsPerSecond:#,0} | {coffer.ResponseBytes:#,0} | **{ratio:0.00}** | {target} | {verdict} |"));
        }
    }

    public void Dispose()
    {
        Nginx.Stop(nginx);
        CofferClient.Dispose();
        NginxClient.Dispose();
        Directory.Delete(scratch, recursive: true);
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
