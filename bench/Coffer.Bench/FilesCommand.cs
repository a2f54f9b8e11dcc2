using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Testing;

namespace Coffer.Bench;

/// <summary>
/// <c>files</c>: attachment upload and download of a <see cref="Options.SizeMb"/> MB file through Coffer over HTTPS
/// against nginx storing (WebDAV PUT) and serving (static file) the same bytes over HTTPS on the same machine, one
/// connection each, TLS 1.3 both; then the server's peak RSS during a <see cref="Options.RssMb"/> MB upload against its
/// idle RSS. Writes <c>bench/results/files.md</c>.
/// </summary>
public static class FilesCommand
{
    public sealed record Options(string RepoRoot, int SizeMb = 100, int RssMb = 500, int Rounds = 5, string? Postgres = null)
    {
        public string ServerDll => Path.Combine(RepoRoot, "src/Coffer.Server/bin/Release/net10.0/coffer-server.dll");
    }

    private sealed record Timing(string What, List<double> Seconds)
    {
        public double Median => Seconds.Order().ElementAt(Seconds.Count / 2);
    }

    public static async Task<int> RunAsync(Options options)
    {
        if (Nginx.Executable is null || !File.Exists(options.ServerDll))
        {
            await Console.Error.WriteLineAsync("files needs nginx (apt-get install nginx) and the Release server build (dotnet build Coffer.slnx -c Release).");
            return 1;
        }

        var scratch = Directory.CreateTempSubdirectory("coffer-bench-files-").FullName;
        try
        {
            var (certificatePath, keyPath, thumbprint) = Nginx.WriteCertificate(scratch);
            var file = Path.Combine(Directory.CreateDirectory(Path.Combine(scratch, "www", "files")).FullName, "blob");
            var bytes = EncryptedFile(options.SizeMb * 1_000_000L);
            await File.WriteAllBytesAsync(file, bytes);
            var body = MultipartBody(bytes, out var contentType);

            var nginxPort = ServerProcess.FreePort();
            Directory.CreateDirectory(Path.Combine(scratch, "www", "upload"));
            using var nginx = Nginx.Start(scratch, nginxPort, certificatePath, keyPath, "location /files/ { } location /upload/ { dav_methods PUT; create_full_put_path on; }");
            var setup = new Setup(scratch, certificatePath, keyPath, thumbprint, new Uri($"https://127.0.0.1:{nginxPort}"), bytes, body, contentType);
            var report = new StringBuilder(Header(options));
            report.Append(await MeasureAsync(options, setup, "SQLite (files under the data folder, fsynced)", []));
            if (options.Postgres is { } admin)
            {
                var database = $"coffer_bench_files_{Guid.NewGuid():N}";
                await AdminAsync(admin, $"CREATE DATABASE \"{database}\"");
                try
                {
                    report.Append(await MeasureAsync(options, setup, "PostgreSQL (files in the database, 1 MiB chunks)", new()
                    {
                        ["Coffer__Database"] = new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString,
                        ["Coffer__JwtSigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)),
                    }));
                }
                finally
                {
                    Npgsql.NpgsqlConnection.ClearAllPools();
                    await AdminAsync(admin, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
                }
            }

            Console.WriteLine(report);
            var results = Path.Combine(options.RepoRoot, "bench", "results", "files.md");
            await File.WriteAllTextAsync(results, report.ToString());
            Console.WriteLine($"Written to {results}");
            return 0;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private sealed record Setup(string Scratch, string CertificatePath, string KeyPath, string Thumbprint, Uri NginxBase, byte[] Bytes, byte[] Body, string ContentType);

    internal static async Task AdminAsync(string admin, string sql)
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(admin);
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>One Coffer server on a provider: the rounds against nginx, then the memory figures; a section of the report.</summary>
    private static async Task<string> MeasureAsync(Options options, Setup setup, string provider, Dictionary<string, string> environment)
    {
        var httpsPort = ServerProcess.FreePort();
        foreach (var (key, value) in Nginx.CofferCertificate(setup.CertificatePath, setup.KeyPath))
        {
            environment[key] = value;
        }

        // The bench stores more than one account's default quota; the file size limit stays the default 500 MiB.
        environment["Coffer__Files__AccountQuotaBytes"] = "0";
        await using var coffer = await ServerProcess.StartCofferAsync(options.ServerDll, extraEnvironment: environment, httpsPort: httpsPort);

        using var http = Client(setup.Thumbprint);
        var cofferBase = new Uri($"https://127.0.0.1:{httpsPort}");
        var api = new VaultClient(new HttpClient(Handler(setup.Thumbprint)) { BaseAddress = cofferBase });
        var account = await api.RegisterAndLoginAsync($"files-{Guid.NewGuid():N}@bench.example");
        var cipherId = await CreateCipherAsync(http, cofferBase, account);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var freshIdle = coffer.Memory().RssMiB;

        var nginxUp = new Timing("upload nginx (WebDAV PUT)", []);
        var cofferUp = new Timing("upload Coffer (POST …/attachment/{id})", []);
        var nginxDown = new Timing("download nginx (static file)", []);
        var cofferDown = new Timing("download Coffer (/attachments/…?token=)", []);
        // Round 0 warms up (JIT, TLS session, page cache) and is not counted.
        for (var round = 0; round <= options.Rounds; round++)
        {
            var up = await TimeAsync(() => SendAsync(http, HttpMethod.Put, new Uri(setup.NginxBase, $"/upload/r{round}"), setup.Body, setup.ContentType));
            var slot = await ReserveAsync(http, cofferBase, account, cipherId, setup.Bytes.Length);
            var cofferUpload = await TimeAsync(() => SendAsync(http, HttpMethod.Post, new Uri(cofferBase, $"/api/ciphers/{cipherId}/attachment/{slot}"), setup.Body, setup.ContentType, account));
            var url = await DownloadUrlAsync(http, cofferBase, account, cipherId, slot);
            var down = await TimeAsync(() => DownloadAsync(http, new Uri(setup.NginxBase, "/files/blob"), setup.Bytes.Length));
            var cofferDownload = await TimeAsync(() => DownloadAsync(http, new Uri(url), setup.Bytes.Length));
            if (round > 0)
            {
                nginxUp.Seconds.Add(up);
                cofferUp.Seconds.Add(cofferUpload);
                nginxDown.Seconds.Add(down);
                cofferDown.Seconds.Add(cofferDownload);
            }

            File.Delete(Path.Combine(setup.Scratch, "www", "upload", $"r{round}"));
        }

        var memory = await MeasureRssAsync(options, coffer, http, cofferBase, account, cipherId) with { FreshIdleMiB = freshIdle };
        return Section(options, provider, [nginxUp, cofferUp, nginxDown, cofferDown], memory);
    }

    private sealed record Memory(double FreshIdleMiB, double IdleMiB, double PeakSampledMiB, double PeakHwmMiB, double AfterMiB, double Seconds, double DownloadPeakMiB, double DownloadSeconds);

    /// <summary>
    /// Idle RSS 2 s after the last request, then the peak during one upload of <see cref="Options.RssMb"/> MB (VmRSS sampled
    /// every 5 ms, and VmHWM after resetting it before the upload), then the same for downloading it back.
    /// </summary>
    private static async Task<Memory> MeasureRssAsync(Options options, ServerProcess coffer, HttpClient http, Uri cofferBase, VaultClient.Account account, Guid cipherId)
    {
        long length = EncryptedLength(options.RssMb * 1_000_000L);
        var slot = await ReserveAsync(http, cofferBase, account, cipherId, length);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var idle = coffer.Memory().RssMiB;
        coffer.ResetPeak();
        using var sampling = new CancellationTokenSource();
        var sampler = SampleAsync(coffer, sampling.Token);
        var seconds = await TimeAsync(async () =>
        {
            using var content = new MultipartFormDataContent();
            var part = new StreamContent(new EncryptedFileStream(length), 128 * 1024);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Add(part, "data", "large.bin");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(cofferBase, $"/api/ciphers/{cipherId}/attachment/{slot}")) { Content = content };
            VaultClient.Authorize(request, account);
            using var response = await http.SendAsync(request);
            await EnsureSuccessAsync(response, "500 MB upload");
        });
        await sampling.CancelAsync();
        var sampled = await sampler;
        var hwm = coffer.Memory().PeakMiB;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = coffer.Memory().RssMiB;

        var url = await DownloadUrlAsync(http, cofferBase, account, cipherId, slot);
        coffer.ResetPeak();
        var downloadSeconds = await TimeAsync(() => DownloadAsync(http, new Uri(url), length));
        return new Memory(double.NaN, idle, sampled, hwm, after, seconds, coffer.Memory().PeakMiB, downloadSeconds);
    }

    private static async Task<double> SampleAsync(ServerProcess coffer, CancellationToken ct)
    {
        var peak = 0.0;
        while (!ct.IsCancellationRequested)
        {
            peak = Math.Max(peak, coffer.Memory().RssMiB);
            try
            {
                await Task.Delay(5, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return Math.Max(peak, coffer.Memory().RssMiB);
    }

    private static string Header(Options options)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Attachments: {options.SizeMb} MB up and down through Coffer and nginx over HTTPS, peak RSS during a {options.RssMb} MB upload");
        text.AppendLine();
        text.AppendLine($"Machine: {Environment.ProcessorCount} cores (shared with other work while this ran), .NET {Environment.Version}; nginx {Nginx.Version()} with `master_process off` (one process). "
            + "Same client (`HttpClient`, HTTP/1.1, one connection per server, TLS 1.3, the same self-signed P-256 certificate), same bytes: uploads send the identical "
            + $"multipart body (one part `data`, an EncArrayBuffer-shaped random file of {EncryptedLength(options.SizeMb * 1_000_000L):N0} bytes) to Coffer's upload route "
            + "and as a WebDAV PUT to nginx, which writes it to a temporary file and renames it (no fsync); downloads read Coffer's token URL and nginx's copy of that file to the end. "
            + $"Each round does the four transfers one after another; median of {options.Rounds} rounds after one warm-up round. Client, servers and disk share the machine, so single rounds are noisy; the ratios of medians are the figures to compare. "
            + "Run: `bench/run.sh files [--postgres ADMIN_CONNECTION_STRING]`.");
        return text.ToString();
    }

    private static string Section(Options options, string provider, List<Timing> timings, Memory memory)
    {
        var mb = options.SizeMb;
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Coffer on {provider}");
        text.AppendLine();
        text.AppendLine("| Transfer | Median | Rounds (s) | MB/s |");
        text.AppendLine("|---|---|---|---|");
        foreach (var timing in timings)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {timing.What} | {timing.Median:F2} s | {string.Join(", ", timing.Seconds.Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))} | {mb / timing.Median:F0} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"**Ratios** (Coffer time ÷ nginx time; target ≤ 2): upload **{timings[1].Median / timings[0].Median:F2}×**, download **{timings[3].Median / timings[2].Median:F2}×**.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Memory during a {options.RssMb} MB upload (target: peak ≤ idle + 50 MB):");
        text.AppendLine();
        text.AppendLine("| Figure | MiB |");
        text.AppendLine("|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| Idle RSS of the fresh server (VmRSS 2 s after start and login, before any file) | {memory.FreshIdleMiB:F1} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| Idle RSS (VmRSS 2 s after the rounds above) | {memory.IdleMiB:F1} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| Peak RSS during the upload (VmHWM, reset just before) | {memory.PeakHwmMiB:F1} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| Peak RSS during the upload (VmRSS sampled every 5 ms) | {memory.PeakSampledMiB:F1} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| **Peak − idle** (idle just before the upload) | **{memory.PeakHwmMiB - memory.IdleMiB:F1}** |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| Peak − idle of the fresh server (everything the transfers above and this upload added) | {memory.PeakHwmMiB - memory.FreshIdleMiB:F1} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| RSS 2 s after the upload | {memory.AfterMiB:F1} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| Peak RSS while downloading it back (VmHWM, reset just before) − idle | {memory.DownloadPeakMiB - memory.IdleMiB:F1} |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"The {options.RssMb} MB upload took {memory.Seconds:F2} s ({options.RssMb / memory.Seconds:F0} MB/s), the download {memory.DownloadSeconds:F2} s; the client streams the body from a generator, so the server never sees it whole.");
        return text.ToString();
    }

    private static SocketsHttpHandler Handler(string thumbprint) => new()
    {
        MaxConnectionsPerServer = 1,
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => Nginx.Pinned(certificate, thumbprint) },
    };

    private static HttpClient Client(string thumbprint) => new(Handler(thumbprint)) { Timeout = TimeSpan.FromMinutes(10) };

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task SendAsync(HttpClient http, HttpMethod method, Uri uri, byte[] body, string contentType, VaultClient.Account? account = null)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (account is not null)
        {
            VaultClient.Authorize(request, account);
        }

        using var response = await http.SendAsync(request);
        await EnsureSuccessAsync(response, $"{method} {uri.AbsolutePath}");
    }

    private static async Task DownloadAsync(HttpClient http, Uri uri, long expected)
    {
        using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
        await EnsureSuccessAsync(response, "GET " + uri.AbsolutePath);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[128 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        if (total != expected)
        {
            throw new InvalidOperationException($"GET {uri.AbsolutePath} returned {total} bytes, not {expected}.");
        }
    }

    private static async Task<Guid> CreateCipherAsync(HttpClient http, Uri server, VaultClient.Account account)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, "/api/ciphers"))
        {
            Content = JsonContent.Create(VaultClient.LoginItem(account.UserKey, 0), options: CofferJson.Options),
        };
        VaultClient.Authorize(request, account);
        using var response = await http.SendAsync(request);
        await EnsureSuccessAsync(response, "POST /api/ciphers");
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        return json.RootElement.GetProperty("id").GetGuid();
    }

    private static async Task<string> ReserveAsync(HttpClient http, Uri server, VaultClient.Account account, Guid cipherId, long size)
    {
        var encString = $"2.{Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}|{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}|{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, $"/api/ciphers/{cipherId}/attachment/v2"))
        {
            Content = JsonContent.Create(new { key = encString, fileName = encString, fileSize = size }),
        };
        VaultClient.Authorize(request, account);
        using var response = await http.SendAsync(request);
        await EnsureSuccessAsync(response, "POST …/attachment/v2");
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        return json.RootElement.GetProperty("attachmentId").GetString()!;
    }

    private static async Task<string> DownloadUrlAsync(HttpClient http, Uri server, VaultClient.Account account, Guid cipherId, string attachmentId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server, $"/api/ciphers/{cipherId}/attachment/{attachmentId}"));
        VaultClient.Authorize(request, account);
        using var response = await http.SendAsync(request);
        await EnsureSuccessAsync(response, "GET …/attachment/{id}");
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        return json.RootElement.GetProperty("url").GetString()!;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static long EncryptedLength(long plaintext) => EncryptedFileStream.LengthFor(plaintext);

    private static byte[] EncryptedFile(long plaintext)
    {
        var bytes = new byte[EncryptedLength(plaintext)];
        RandomNumberGenerator.Fill(bytes);
        bytes[0] = 2;
        return bytes;
    }

    /// <summary>The multipart body the clients send (one part <c>data</c>), as bytes, so both servers get exactly the same request body.</summary>
    private static byte[] MultipartBody(byte[] file, out string contentType)
    {
        using var content = new MultipartFormDataContent("coffer-bench-boundary-7f3a9c");
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(part, "data", "blob.bin");
        contentType = content.Headers.ContentType!.ToString();
        using var buffer = new MemoryStream();
        content.CopyTo(buffer, null, default);
        return buffer.ToArray();
    }
}
