using System.Globalization;

namespace Coffer.Bench;

/// <summary>
/// <c>http</c>: start-to-healthy and RSS of the real server, then every <see cref="Scenarios"/> load against it and
/// against the minimal baseline, printed as Markdown and written to bench/results/. Expects the Release build.
/// </summary>
public static class HttpCommand
{
    private const int StartRuns = 3;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public sealed record Options(int Connections, TimeSpan Warmup, TimeSpan Duration, IReadOnlySet<string>? Only, bool PerfMap, bool SkipStartup, string RepoRoot)
    {
        public string ServerDll => Path.Combine(RepoRoot, "src/Coffer.Server/bin/Release/net10.0/coffer-server.dll");

        public string ResultsFolder => Path.Combine(RepoRoot, "bench/results");
    }

    public static async Task<int> RunAsync(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.ServerDll))
        {
            await Console.Error.WriteLineAsync($"{options.ServerDll} is missing: run `dotnet build Coffer.slnx -c Release` first (bench/run.sh does).");
            return 2;
        }

        var startup = options.SkipStartup ? new StartupFigures([], []) : await MeasureStartupAsync(options.ServerDll);

        // Coffer listens over HTTPS too, with the certificate nginx serves in the HTTPS sync yardstick.
        var tls = HttpsSync.Prepare();
        var httpsPort = ServerProcess.FreePort();
        await using var coffer = await ServerProcess.StartCofferAsync(options.ServerDll, perfMap: options.PerfMap,
            extraEnvironment: tls?.Environment, httpsPort: tls is null ? null : httpsPort);
        Console.WriteLine($"coffer-server pid {coffer.Pid} on {coffer.BaseAddress}");
        await Task.Delay(Settle);
        var idle = coffer.Memory();

        using var seedClient = LoadGenerator.CreateClient(coffer.BaseAddress, 4);
        var client = new VaultClient(seedClient);
        var (small, large, writer) = await client.SeedStandardAsync();

        // The static yardstick serves exactly the bytes that a 3,000-item sync answers.
        var syncFile = Path.Combine(Directory.CreateTempSubdirectory("coffer-bench-static-").FullName, "sync-3000.json");
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/sync?excludeDomains=true"))
        {
            VaultClient.Authorize(request, large);
            using var response = await seedClient.SendAsync(request);
            response.EnsureSuccessStatusCode();
            await File.WriteAllBytesAsync(syncFile, await response.Content.ReadAsByteArrayAsync());
        }

        using var https = tls is null ? null : await HttpsSync.StartAsync(tls, coffer.Pid, httpsPort, large, options.Connections);
        await using var baseline = await ServerProcess.StartBaselineAsync(syncFile);
        await Task.Delay(Settle);
        var baselineIdle = baseline.Memory();

        var loadOptions = new LoadOptions(options.Connections, options.Warmup, options.Duration);
        using var cofferLoad = LoadGenerator.CreateClient(coffer.BaseAddress, options.Connections);
        using var baselineLoad = LoadGenerator.CreateClient(baseline.BaseAddress, options.Connections);
        var loads = new List<LoadResult>();
        foreach (var scenario in Scenarios.All(small, large, writer).Where(s => options.Only is null || options.Only.Contains(s.Name)))
        {
            Console.WriteLine($"running {scenario.Name} ({options.Warmup.TotalSeconds:0} s warm-up + {options.Duration.TotalSeconds:0} s)…");
            var result = await LoadGenerator.RunAsync(scenario.Name, scenario.Target == Target.Coffer ? cofferLoad : baselineLoad, scenario.Request, loadOptions);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {result.RequestsPerSecond:#,0} req/s, p50 {result.P50Ms:0.00} ms, p99 {result.P99Ms:0.00} ms, errors {result.Errors}{(result.FirstError is null ? "" : $" ({result.FirstError})")}"));
            loads.Add(result);
        }

        if (https is not null)
        {
            // Pairs (Coffer, nginx) with both of a pair selected, run in alternating rounds.
            var pairs = HttpsSync.Scenarios(large).Chunk(2).Where(p => options.Only is null || p.All(s => options.Only.Contains(s.Name))).SelectMany(p => p).ToList();
            Console.WriteLine($"running {string.Join(", ", pairs.Select(p => p.Name))} in {HttpsSync.Rounds} alternating rounds…");
            loads.AddRange(await https.RunAsync(pairs, loadOptions));
        }

        await Task.Delay(Settle);
        var after = coffer.Memory();
        File.Delete(syncFile);
        Directory.Delete(Path.GetDirectoryName(syncFile)!);

        var run = new HttpRun(
            $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
            options.Connections,
            options.Warmup.TotalSeconds,
            options.Duration.TotalSeconds,
            startup,
            new MemoryFigures(ToMB(idle.RssMiB), ToMB(after.RssMiB), ToMB(after.PeakMiB), ToMB(baselineIdle.RssMiB)),
            loads);
        var markdown = Report.Markdown(run);
        Console.WriteLine();
        Console.WriteLine(markdown);
        await Report.WriteAsync(run, markdown, options.ResultsFolder);
        Console.WriteLine($"written to {Path.Combine(options.ResultsFolder, "latest.md")}");
        return loads.Any(l => l.Errors > 0) ? 1 : 0;
    }

    /// <summary>
    /// Best of 3 for two cases: an empty data folder (first run: migrations create the database, the JWT key is
    /// generated) and an existing database (every later start).
    /// </summary>
    private static async Task<StartupFigures> MeasureStartupAsync(string serverDll)
    {
        var empty = new List<double>();
        for (var i = 0; i < StartRuns; i++)
        {
            await using var server = await ServerProcess.StartCofferAsync(serverDll);
            empty.Add(server.StartToHealthy.TotalMilliseconds);
        }

        var existing = new List<double>();
        var folder = Directory.CreateTempSubdirectory("coffer-bench-restart-").FullName;
        try
        {
            // Not counted: creates the database that the counted restarts find.
            await (await ServerProcess.StartCofferAsync(serverDll, folder)).DisposeAsync();
            for (var i = 0; i < StartRuns; i++)
            {
                await using var server = await ServerProcess.StartCofferAsync(serverDll, folder);
                existing.Add(server.StartToHealthy.TotalMilliseconds);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        // The bare ASP.NET Core app (bench/Coffer.Bare, built with the solution) in the same run, the yardstick of bench/results/footprint.md.
        var bare = new List<double>();
        var bareIdle = double.NaN;
        var bareDll = Path.Combine(Path.GetDirectoryName(serverDll)!, "../../../../../bench/Coffer.Bare/bin/Release/net10.0/coffer-bare.dll");
        if (File.Exists(bareDll))
        {
            for (var i = 0; i < StartRuns; i++)
            {
                await using var server = await ServerProcess.StartBareAsync(bareDll);
                bare.Add(server.StartToHealthy.TotalMilliseconds);
                await Task.Delay(Settle);
                bareIdle = ToMB(server.Memory().RssMiB);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"start to healthy: empty folder {string.Join(", ", empty.Select(m => m.ToString("0", CultureInfo.InvariantCulture)))} ms; existing database {string.Join(", ", existing.Select(m => m.ToString("0", CultureInfo.InvariantCulture)))} ms"));
        return new StartupFigures(empty, existing, bare, bareIdle);
    }

    private static double ToMB(double mib) => mib * 1024 * 1024 / 1_000_000;
}
