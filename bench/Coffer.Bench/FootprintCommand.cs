using System.Globalization;
using System.Text;
using Coffer.Protocol.Api;

namespace Coffer.Bench;

/// <summary>
/// <c>footprint</c>: start time and memory of the published coffer-server against the bare ASP.NET Core app
/// (bench/Coffer.Bare, published with the same settings), both measured in this run, then the RSS after a mixed load
/// (sync, list, create, login) relative to the idle RSS. Written to bench/results/footprint-latest.md.
/// </summary>
public static class FootprintCommand
{
    /// <summary>Targets of issue 16: Coffer ÷ bare app, and after-load ÷ idle.</summary>
    public const double IdleRssRatioTarget = 1.25;
    public const double StartRatioTarget = 1.5;
    public const double AfterLoadRatioTarget = 1.3;

    public sealed record Options(string RepoRoot)
    {
        public string CofferFolder { get; init; } = Path.Combine(RepoRoot, "bench/.publish/coffer-server");

        public string BareFolder { get; init; } = Path.Combine(RepoRoot, "bench/.publish/coffer-bare");

        /// <summary>Start-to-healthy runs per app and case; the best counts, the median RSS.</summary>
        public int Runs { get; init; } = 5;

        /// <summary>Length of the mixed load; 0 skips it.</summary>
        public double MixedMinutes { get; init; } = 1;

        public int Connections { get; init; } = 8;

        /// <summary>Extra environment for both apps (e.g. <c>DOTNET_GCConserveMemory=5</c>), to try a setting without rebuilding.</summary>
        public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

        public string Output { get; init; } = Path.Combine(RepoRoot, "bench/results/footprint-latest.md");
    }

    /// <summary>One app's start runs: milliseconds to the first 200 from /health, and VmRSS (MB) after settling.</summary>
    public sealed record StartFigures(IReadOnlyList<double> StartMs, IReadOnlyList<double> CpuMs, IReadOnlyList<double> IdleRssMB, IReadOnlyList<(double Anon, double File, double Shmem)> Parts)
    {
        public double BestStartMs => StartMs.Min();

        public double BestCpuMs => CpuMs.Min();

        public double MedianRssMB => Median(IdleRssMB);
    }

    public sealed record MixedFigures(double Minutes, double IdleMB, double SoonAfterMB, double AfterMB, double PeakMB, LoadResult Load, IReadOnlyList<(double Minute, double RssMB)> Samples);

    /// <summary>How long the server sits quiet after the load before the after-load RSS is read (Hosting/IdleMemoryTrim trims within 10 s of quiet).</summary>
    public static readonly TimeSpan AfterLoadSettle = TimeSpan.FromSeconds(30);

    /// <summary>How long a server sits after it answered healthy (or after the load) before its RSS is read.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cofferDll = Path.Combine(options.CofferFolder, "coffer-server.dll");
        var bareDll = Path.Combine(options.BareFolder, "coffer-bare.dll");
        foreach (var dll in new[] { cofferDll, bareDll })
        {
            if (!File.Exists(dll))
            {
                await Console.Error.WriteLineAsync($"{dll} is missing: `bench/run.sh footprint` publishes both apps first.");
                return 2;
            }
        }

        var (bare, cofferEmpty, cofferExisting) = await MeasureStartsAsync(cofferDll, bareDll, options.Runs, options.Environment);
        var mixed = options.MixedMinutes > 0 ? await RunMixedAsync(cofferDll, options) : null;

        var markdown = Markdown(options, bare, cofferEmpty, cofferExisting, mixed);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
        await File.WriteAllTextAsync(options.Output, markdown);
        Console.WriteLine($"written to {options.Output}");
        return mixed is { Load.Errors: > 0 } ? 1 : 0;
    }

    /// <summary>
    /// The bare app and Coffer (empty data folder, and an existing database) started in turn, <paramref name="runs"/>
    /// times each, so that whatever else the shared machine does falls on all three alike.
    /// </summary>
    public static async Task<(StartFigures Bare, StartFigures CofferEmpty, StartFigures CofferExisting)> MeasureStartsAsync(
        string cofferDll, string bareDll, int runs, IReadOnlyDictionary<string, string>? environment = null)
    {
        var bare = (Start: new List<double>(), Cpu: new List<double>(), Rss: new List<double>(), Parts: new List<(double, double, double)>());
        var empty = (Start: new List<double>(), Cpu: new List<double>(), Rss: new List<double>(), Parts: new List<(double, double, double)>());
        var existing = (Start: new List<double>(), Cpu: new List<double>(), Rss: new List<double>(), Parts: new List<(double, double, double)>());
        var folder = Directory.CreateTempSubdirectory("coffer-bench-restart-").FullName;
        try
        {
            // Not counted: creates the database that the counted restarts find (and warms the disk cache for all).
            await (await ServerProcess.StartCofferAsync(cofferDll, folder, extraEnvironment: environment)).DisposeAsync();
            await (await ServerProcess.StartBareAsync(bareDll, environment)).DisposeAsync();
            for (var i = 0; i < runs; i++)
            {
                await Measure(await ServerProcess.StartBareAsync(bareDll, environment), bare);
                await Measure(await ServerProcess.StartCofferAsync(cofferDll, extraEnvironment: environment), empty);
                await Measure(await ServerProcess.StartCofferAsync(cofferDll, folder, extraEnvironment: environment), existing);
                Console.WriteLine(Invariant($"start run {i + 1}/{runs}: bare {bare.Start[^1]:0} ms (cpu {bare.Cpu[^1]:0}) {bare.Rss[^1]:0.0} MB; coffer empty {empty.Start[^1]:0} ms (cpu {empty.Cpu[^1]:0}) {empty.Rss[^1]:0.0} MB; existing {existing.Start[^1]:0} ms (cpu {existing.Cpu[^1]:0}) {existing.Rss[^1]:0.0} MB"));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return (new(bare.Start, bare.Cpu, bare.Rss, bare.Parts), new(empty.Start, empty.Cpu, empty.Rss, empty.Parts), new(existing.Start, existing.Cpu, existing.Rss, existing.Parts));

        static async Task Measure(ServerProcess server, (List<double> Start, List<double> Cpu, List<double> Rss, List<(double, double, double)> Parts) into)
        {
            await using (server)
            {
                into.Start.Add(server.StartToHealthy.TotalMilliseconds);
                into.Cpu.Add(server.CpuToHealthy.TotalMilliseconds);
                await Task.Delay(Settle);
                into.Rss.Add(ToMB(server.Memory().RssMiB));
                var (anon, file, shmem) = server.MemoryParts();
                into.Parts.Add((ToMB(anon), ToMB(file), ToMB(shmem)));
            }
        }
    }

    /// <summary>
    /// A fresh Coffer, its idle RSS, then a closed-loop mix for <see cref="Options.MixedMinutes"/>: per 10 requests
    /// 3 syncs of 100 items, 1 sync of 3,000, 2 lists of 100, 3 creates and 1 password login; RSS sampled every
    /// 30 s, read again after it settled.
    /// </summary>
    private static async Task<MixedFigures> RunMixedAsync(string cofferDll, Options options)
    {
        // Logins at load rate would hit the per-address login budget; the mix measures memory, not the limiter.
        var environment = new Dictionary<string, string>(options.Environment)
        {
            ["Coffer__RateLimits__LoginPerIp__Limit"] = "1000000",
            ["Coffer__RateLimits__LoginPerAccount__Limit"] = "1000000",
        };
        await using var coffer = await ServerProcess.StartCofferAsync(cofferDll, extraEnvironment: environment);
        Console.WriteLine($"mixed load: coffer-server pid {coffer.Pid} on {coffer.BaseAddress}");
        await Task.Delay(Settle);
        var idle = ToMB(coffer.Memory().RssMiB);

        using var seedClient = LoadGenerator.CreateClient(coffer.BaseAddress, 4);
        var client = new VaultClient(seedClient);
        var (small, large, writer) = await client.SeedStandardAsync();
        var login = await client.RegisterAndLoginAsync("login@bench.test");

        var createBody = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(VaultClient.LoginItem(writer.UserKey, 0), CofferJson.Options);
        var device = Guid.NewGuid().ToString();
        Func<HttpRequestMessage>[] mix =
        [
            () => Scenarios.Authorized(HttpMethod.Get, "/api/sync?excludeDomains=true", small),
            () => Scenarios.CreateRequest(createBody, writer),
            () => Scenarios.Authorized(HttpMethod.Get, "/api/ciphers", small),
            () => Scenarios.Authorized(HttpMethod.Get, "/api/sync?excludeDomains=true", small),
            () => Scenarios.CreateRequest(createBody, writer),
            () => VaultClient.PasswordGrant(login.Email, login.MasterPasswordHash, device),
            () => Scenarios.Authorized(HttpMethod.Get, "/api/sync?excludeDomains=true", large),
            () => Scenarios.Authorized(HttpMethod.Get, "/api/ciphers", small),
            () => Scenarios.CreateRequest(createBody, writer),
            () => Scenarios.Authorized(HttpMethod.Get, "/api/sync?excludeDomains=true", small),
        ];
        long next = -1;
        HttpRequestMessage Next() => mix[(int)(Interlocked.Increment(ref next) % mix.Length)]();

        var duration = TimeSpan.FromMinutes(options.MixedMinutes);
        var samples = new List<(double, double)>();
        using var load = LoadGenerator.CreateClient(coffer.BaseAddress, options.Connections);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var running = LoadGenerator.RunAsync("mixed", load, Next, new LoadOptions(options.Connections, TimeSpan.Zero, duration));
        while (await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(30))) != running)
        {
            samples.Add((clock.Elapsed.TotalMinutes, ToMB(coffer.Memory().RssMiB)));
            Console.WriteLine(Invariant($"  {clock.Elapsed.TotalMinutes:0.0} min: RSS {samples[^1].Item2:0.0} MB"));
        }

        var result = await running;
        Console.WriteLine(Invariant($"  mixed: {result.RequestsPerSecond:#,0} req/s, errors {result.Errors}{(result.FirstError is null ? "" : $" ({result.FirstError})")}"));
        await Task.Delay(Settle);
        var soonAfter = ToMB(coffer.Memory().RssMiB);
        await Task.Delay(AfterLoadSettle - Settle);
        var (after, peak) = coffer.Memory();
        return new MixedFigures(options.MixedMinutes, idle, soonAfter, ToMB(after), ToMB(peak), result, samples);
    }

    private static string Markdown(Options options, StartFigures bare, StartFigures empty, StartFigures existing, MixedFigures? mixed)
    {
        var md = new StringBuilder();
        md.AppendLine("# Coffer footprint: start and memory against a bare ASP.NET Core app");
        md.AppendLine();
        md.AppendLine(Invariant($"{TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}; load shared with other work on the machine. Published apps: `{Path.GetRelativePath(options.RepoRoot, options.CofferFolder)}`, `{Path.GetRelativePath(options.RepoRoot, options.BareFolder)}`; started with `dotnet <app>.dll`, in turn, {options.Runs} runs each; start = process start to the first 200 from /health (best of {options.Runs}); idle RSS = VmRSS {Settle.TotalSeconds:0} s after that (median)."));
        if (options.Environment.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Extra environment for both apps: " + string.Join(", ", options.Environment.Select(e => $"`{e.Key}={e.Value}`")) + ".");
        }

        md.AppendLine();
        md.AppendLine("| Figure | bare app | Coffer | Coffer ÷ bare | Target | Verdict |");
        md.AppendLine("|---|---:|---:|---:|---|---|");
        StartRow(md, "Start to healthy, existing database", bare, existing);
        StartRow(md, "Start to healthy, empty data folder", bare, empty);
        md.AppendLine(Invariant($"| CPU time to healthy, existing database | {bare.BestCpuMs:0} ms | {existing.BestCpuMs:0} ms | {existing.BestCpuMs / bare.BestCpuMs:0.00} | — | reported (steadier than wall time on a shared machine) |"));
        md.AppendLine(Invariant($"| Idle RSS (existing database) | {bare.MedianRssMB:0.0} MB | {existing.MedianRssMB:0.0} MB | {existing.MedianRssMB / bare.MedianRssMB:0.00} | ≤ {IdleRssRatioTarget:0.00} | {Verdict(existing.MedianRssMB / bare.MedianRssMB <= IdleRssRatioTarget)} |"));
        md.AppendLine(Invariant($"| Idle RSS (empty data folder) | {bare.MedianRssMB:0.0} MB | {empty.MedianRssMB:0.0} MB | {empty.MedianRssMB / bare.MedianRssMB:0.00} | — | reported |"));
        md.AppendLine(Invariant($"| … anonymous (GC heap, native heaps) | {Part(bare, p => p.Anon):0.0} MB | {Part(existing, p => p.Anon):0.0} MB | {Part(existing, p => p.Anon) / Part(bare, p => p.Anon):0.00} | — | reported |"));
        md.AppendLine(Invariant($"| … file-backed (mapped assemblies, libraries) | {Part(bare, p => p.File):0.0} MB | {Part(existing, p => p.File):0.0} MB | {Part(existing, p => p.File) / Part(bare, p => p.File):0.00} | — | reported |"));
        md.AppendLine(Invariant($"| … shared (W^X double-mapped JIT code, stubs) | {Part(bare, p => p.Shmem):0.0} MB | {Part(existing, p => p.Shmem):0.0} MB | {Part(existing, p => p.Shmem) / Part(bare, p => p.Shmem):0.00} | — | reported |"));
        md.AppendLine();
        md.AppendLine(Invariant($"Runs (ms): bare {Join(bare.StartMs)}; Coffer existing {Join(existing.StartMs)}; empty {Join(empty.StartMs)}. CPU (ms): bare {Join(bare.CpuMs)}; Coffer existing {Join(existing.CpuMs)}. RSS (MB): bare {Join(bare.IdleRssMB)}; Coffer existing {Join(existing.IdleRssMB)}; empty {Join(empty.IdleRssMB)}."));
        if (mixed is not null)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"## After {mixed.Minutes:0.#} minutes of mixed load"));
            md.AppendLine();
            md.AppendLine(Invariant($"{options.Connections} connections, closed loop; per 10 requests: 3 syncs of 100 items, 1 sync of 3,000, 2 lists of 100, 3 creates, 1 password login. {mixed.Load.Requests:#,0} requests, {mixed.Load.RequestsPerSecond:#,0} req/s, errors {mixed.Load.Errors}."));
            md.AppendLine();
            md.AppendLine("| Figure | Value | Target | Verdict |");
            md.AppendLine("|---|---:|---|---|");
            md.AppendLine(Invariant($"| Idle RSS before the load | {mixed.IdleMB:0.0} MB | — | — |"));
            md.AppendLine(Invariant($"| RSS {Settle.TotalSeconds:0} s after the load | {mixed.SoonAfterMB:0.0} MB | — | — |"));
            md.AppendLine(Invariant($"| RSS {AfterLoadSettle.TotalSeconds:0} s after the load | {mixed.AfterMB:0.0} MB | — | — |"));
            md.AppendLine(Invariant($"| Peak RSS (VmHWM) | {mixed.PeakMB:0.0} MB | — | reported |"));
            md.AppendLine(Invariant($"| After ({AfterLoadSettle.TotalSeconds:0} s) ÷ idle | {mixed.AfterMB / mixed.IdleMB:0.00} | ≤ {AfterLoadRatioTarget:0.00} | {Verdict(mixed.AfterMB / mixed.IdleMB <= AfterLoadRatioTarget)} |"));
            if (mixed.Samples.Count > 0)
            {
                md.AppendLine();
                md.AppendLine("RSS during the load (minute: MB): " + string.Join(", ", mixed.Samples.Select(s => Invariant($"{s.Minute:0.0}: {s.RssMB:0}"))) + ".");
            }
        }

        return md.ToString();
    }

    private static void StartRow(StringBuilder md, string label, StartFigures bare, StartFigures coffer)
    {
        var ratio = coffer.BestStartMs / bare.BestStartMs;
        md.AppendLine(Invariant($"| {label} | {bare.BestStartMs:0} ms | {coffer.BestStartMs:0} ms | {ratio:0.00} | ≤ {StartRatioTarget:0.00} | {Verdict(ratio <= StartRatioTarget)} |"));
    }

    /// <summary>The median of one part of the RSS over the runs.</summary>
    private static double Part(StartFigures figures, Func<(double Anon, double File, double Shmem), double> part) => Median([.. figures.Parts.Select(part)]);

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => Invariant($"{v:0.#}")));

    private static double ToMB(double mib) => mib * 1024 * 1024 / 1_000_000;

    private static string Verdict(bool met) => met ? "met" : "**MISSED**";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
