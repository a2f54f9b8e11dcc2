using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Bench;

/// <summary>
/// <c>scale [--postgres ADMIN_CONNECTION_STRING]</c>: the same requests against an empty database and against the
/// <see cref="ScaleData"/> data set (10,000 accounts, one with 100,000 items and 5,000 folders), two Release servers
/// running side by side and loaded one after the other, scenario by scenario, on SQLite and then PostgreSQL. Reports
/// p50/p95 of sync (a 100-item account), list, create and login, their p95 ratio (target ≤ 1.2), and the
/// 100,000-item account's own sync: body size, time and the server's peak RSS. Written to bench/results/scale.md.
/// </summary>
public static class ScaleCommand
{
    public const double P95RatioTarget = 1.2;
    private const int LoginChecks = 20;

    public sealed record Options(string RepoRoot, ScaleData.Options Data, LoadOptions Load, int Rounds = 2, int LargeSyncs = 3, string? Postgres = null)
    {
        /// <summary>SQLite, then PostgreSQL when <see cref="Postgres"/> is set; <c>--providers</c> narrows it.</summary>
        public IReadOnlyList<string> Providers { get; init; } = ["SQLite", "PostgreSQL"];

        public string ServerDll => Path.Combine(RepoRoot, "src/Coffer.Server/bin/Release/net10.0/coffer-server.dll");
    }

    /// <summary>One database of one provider: how the generator reaches it, how the server is pointed at it, and its size.</summary>
    private sealed record Database(string Label, Func<CofferDb> Open, string DataFolder, Dictionary<string, string> Environment, Func<Task<long>> SizeBytes);

    private sealed record Side(ServerProcess Server, HttpClient Load, VaultClient.Account Small, VaultClient.Account Writer, IReadOnlyList<string> LoginEmails);

    public static async Task<int> RunAsync(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.ServerDll))
        {
            await Console.Error.WriteLineAsync($"{options.ServerDll} is missing: run `dotnet build Coffer.slnx -c Release` first.");
            return 2;
        }

        var report = new StringBuilder()
            .AppendLine(Invariant($"# Scale: {options.Data.Accounts:N0} accounts, one with {options.Data.LargeItems:N0} items and {options.Data.LargeFolders:N0} folders, against an empty database"))
            .AppendLine()
            .AppendLine(Invariant($"{TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores, .NET {Environment.Version}; the load generator and both servers share the cores, "))
            .AppendLine(Invariant($"and so did other engineers' builds and benchmarks (load shared). {options.Load.Connections} connections, {options.Load.Warmup.TotalSeconds:0} s warm-up + {options.Load.Duration.TotalSeconds:0} s per scenario and side, "))
            .AppendLine(Invariant($"empty and scale servers loaded alternately, {options.Rounds} rounds (mean of the rounds' figures). Command: `Coffer.Bench scale` (bench/README.md)."))
            .AppendLine();
        var failed = false;
        var results = Path.Combine(options.RepoRoot, "bench", "results", "scale.md");
        foreach (var provider in options.Providers.Where(p => p == "SQLite" || options.Postgres is not null))
        {
            var (section, ok) = await MeasureProviderAsync(options, provider);
            report.Append(section);
            failed |= !ok;
            // Written after each provider, so a later failure keeps what was measured.
            await File.WriteAllTextAsync(results, report.ToString());
        }

        Console.WriteLine(report);
        Console.WriteLine($"Written to {results}");
        return failed ? 1 : 0;
    }

    private static async Task<(string Section, bool Ok)> MeasureProviderAsync(Options options, string provider)
    {
        var cleanup = new List<Func<Task>>();
        try
        {
            var empty = await CreateDatabaseAsync(options, provider, "empty", cleanup);
            var scale = await CreateDatabaseAsync(options, provider, "scale", cleanup);
            Console.WriteLine($"{provider}: generating the data set…");
            ScaleData.Probes emptyProbes, scaleProbes;
            ScaleData.Summary summary;
            await using (var db = empty.Open())
            {
                (emptyProbes, _) = await ScaleData.GenerateAsync(db, options.Data, population: false);
            }

            await using (var db = scale.Open())
            {
                (scaleProbes, summary) = await ScaleData.GenerateAsync(db, options.Data, population: true);
            }

            var rows = summary.Users + summary.Folders + summary.Ciphers + summary.Attachments;
            Console.WriteLine(Invariant($"  {rows:N0} rows in {summary.Elapsed.TotalSeconds:F1} s"));
            var section = new StringBuilder()
                .AppendLine(Invariant($"## {provider}"))
                .AppendLine()
                .AppendLine(Invariant($"Data set: {summary.Users:N0} accounts (one device each), {summary.Folders:N0} folders, {summary.Ciphers:N0} items ({summary.CipherBytes / 1e6:F0} MB of item JSON), {summary.Attachments:N0} attachments; "))
                .AppendLine(Invariant($"generated in {summary.Elapsed.TotalSeconds:F1} s ({rows / summary.Elapsed.TotalSeconds:N0} rows/s, schema included); database {await scale.SizeBytes() / 1e6:N0} MB."))
                .AppendLine();

            await using var emptyServer = await ServerProcess.StartCofferAsync(options.ServerDll, empty.DataFolder, extraEnvironment: empty.Environment);
            await using var scaleServer = await ServerProcess.StartCofferAsync(options.ServerDll, scale.DataFolder, extraEnvironment: scale.Environment);
            using var emptyLoad = LoadGenerator.CreateClient(emptyServer.BaseAddress, options.Load.Connections);
            using var scaleLoad = LoadGenerator.CreateClient(scaleServer.BaseAddress, options.Load.Connections);
            var emptySide = await SideAsync(emptyServer, emptyLoad, emptyProbes, emptyProbes.LoginEmails);
            var population = Enumerable.Range(0, options.Data.Accounts).Select(ScaleData.PopulationEmail).ToList();
            var scaleSide = await SideAsync(scaleServer, scaleLoad, scaleProbes, population);

            var loggedIn = await CheckLoginsAsync(scaleLoad, population);
            section.AppendLine(Invariant($"{loggedIn} of {LoginChecks} generated accounts picked at random logged in through `/identity/connect/token` and synced."))
                .AppendLine()
                .AppendLine("| Scenario | empty req/s | empty p50 ms | empty p95 ms | scale req/s | scale p50 ms | scale p95 ms | p95 scale ÷ empty | target | errors |")
                .AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            var ok = loggedIn == LoginChecks;
            foreach (var name in new[] { Scenarios.Sync100, Scenarios.List100, Scenarios.Create, "login" })
            {
                // Rounds alternate which side goes first (empty, scale, scale, empty, …), so drifting load from outside
                // and the servers' own warming up fall on both sides alike; each figure is the mean over the rounds.
                var emptyRounds = new List<LoadResult>();
                var scaleRounds = new List<LoadResult>();

                // Not counted: the first load of a route on a fresh server pays its JIT and caches, whichever side it is.
                var warmup = options.Load with { Warmup = TimeSpan.Zero, Duration = options.Load.Warmup };
                foreach (var side in new[] { emptySide, scaleSide })
                {
                    await RunAsync(name, side, warmup, counted: false);
                }

                for (var round = 0; round < options.Rounds; round++)
                {
                    foreach (var (side, rounds) in round % 2 == 0 ? [(emptySide, emptyRounds), (scaleSide, scaleRounds)] : new[] { (scaleSide, scaleRounds), (emptySide, emptyRounds) })
                    {
                        rounds.Add(await RunAsync(name, side, options.Load));
                    }
                }

                var (e, s) = (Mean(emptyRounds), Mean(scaleRounds));
                var ratio = s.P95Ms / e.P95Ms;
                var errors = e.Errors + s.Errors;
                ok &= errors == 0;
                section.AppendLine(Invariant($"| {name} | {e.RequestsPerSecond:#,0} | {e.P50Ms:0.00} | {e.P95Ms:0.00} | {s.RequestsPerSecond:#,0} | {s.P50Ms:0.00} | {s.P95Ms:0.00} | **{ratio:0.00}** | ≤ {P95RatioTarget} {(ratio <= P95RatioTarget ? "met" : "missed")} | {errors} |"));
            }

            try
            {
                // A client of its own: the load generator's 30 s timeout is shorter than a 100,000-item sync on a loaded machine.
                using var large = new HttpClient { BaseAddress = scaleServer.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
                section.AppendLine().Append(await LargeSyncAsync(options, scaleServer, large)).AppendLine();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                section.AppendLine().AppendLine(Invariant($"**The {options.Data.LargeItems:N0}-item account's sync failed**: {e.Message}")).AppendLine();
                ok = false;
            }

            return (section.ToString(), ok);
        }
        finally
        {
            foreach (var step in Enumerable.Reverse(cleanup))
            {
                await step();
            }
        }
    }

    private static LoadResult Mean(List<LoadResult> rounds) => rounds[0] with
    {
        RequestsPerSecond = rounds.Average(r => r.RequestsPerSecond),
        P50Ms = rounds.Average(r => r.P50Ms),
        P95Ms = rounds.Average(r => r.P95Ms),
        Errors = rounds.Sum(r => r.Errors),
    };

    private static async Task<Side> SideAsync(ServerProcess server, HttpClient load, ScaleData.Probes probes, IReadOnlyList<string> loginEmails)
    {
        var client = new VaultClient(load);
        var small = await client.LoginAsync(probes.SmallEmail, ScaleData.MasterPasswordHash, probes.SmallKey);
        var writer = await client.LoginAsync(probes.WriterEmail, ScaleData.MasterPasswordHash, probes.WriterKey);
        return new Side(server, load, small, writer, loginEmails);
    }

    private static async Task<LoadResult> RunAsync(string name, Side side, LoadOptions load, bool counted = true)
    {
        Console.WriteLine(Invariant($"running {name}{(counted ? "" : " (warm-up, not counted)")} on {side.Server.BaseAddress}…"));
        Func<HttpRequestMessage> request = name == "login"
            ? () => VaultClient.PasswordGrant(side.LoginEmails[RandomNumberGenerator.GetInt32(side.LoginEmails.Count)], ScaleData.MasterPasswordHash, Guid.NewGuid().ToString())
            : Scenarios.All(side.Small, side.Small, side.Writer).Single(s => s.Name == name).Request;
        var r = await LoadGenerator.RunAsync(name, side.Load, request, load);
        Console.WriteLine(Invariant($"  {r.RequestsPerSecond:#,0} req/s, p50 {r.P50Ms:0.00} ms, p95 {r.P95Ms:0.00} ms, errors {r.Errors}{(r.FirstError is null ? "" : $" ({r.FirstError})")}"));
        return r;
    }

    /// <summary>Proves the generated accounts are real: some picked at random log in and sync.</summary>
    private static async Task<int> CheckLoginsAsync(HttpClient http, List<string> population)
    {
        var client = new VaultClient(http);
        var ok = 0;
        for (var i = 0; i < LoginChecks; i++)
        {
            var email = population[1 + RandomNumberGenerator.GetInt32(population.Count - 1)];
            using var key = Coffer.Client.Crypto.SymmetricKey.Generate();
            var account = await client.LoginAsync(email, ScaleData.MasterPasswordHash, key);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sync?excludeDomains=true");
            VaultClient.Authorize(request, account);
            using var response = await http.SendAsync(request);
            ok += response.IsSuccessStatusCode ? 1 : 0;
        }

        return ok;
    }

    /// <summary>The 100,000-item account on its own: login, then syncs one after the other, each read to the end.</summary>
    private static async Task<string> LargeSyncAsync(Options options, ServerProcess server, HttpClient http)
    {
        var clock = Stopwatch.StartNew();
        using var key = Coffer.Client.Crypto.SymmetricKey.Generate();
        var account = await new VaultClient(http).LoginAsync(ScaleData.LargeEmail, ScaleData.MasterPasswordHash, key);
        var login = clock.Elapsed;
        var before = server.Memory();
        server.ResetPeak();
        var times = new List<double>();
        long bytes = 0;
        for (var i = 0; i < options.LargeSyncs; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sync?excludeDomains=true");
            VaultClient.Authorize(request, account);
            clock.Restart();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
            {
                var log = server.Output();
                throw new InvalidOperationException($"The large account's sync answered {(int)response.StatusCode}. Server output:\n{log[Math.Max(0, log.Length - 4000)..]}");
            }

            await using var body = await response.Content.ReadAsStreamAsync();
            bytes = await CountAsync(body);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        var after = server.Memory();
        Console.WriteLine(Invariant($"large sync: {bytes / 1e6:F1} MB, {string.Join(", ", times.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))} ms, RSS {before.RssMiB:F0} → peak {after.PeakMiB:F0} MiB"));
        return new StringBuilder()
            .AppendLine(Invariant($"**The {options.Data.LargeItems:N0}-item account** ({options.Data.LargeFolders:N0} folders): login {login.TotalMilliseconds:N0} ms; "))
            .AppendLine(Invariant($"sync body {bytes / 1e6:F1} MB, {options.LargeSyncs} syncs one after another: {string.Join(", ", times.Select(t => t.ToString("N0", CultureInfo.InvariantCulture)))} ms (first to last byte, loopback); "))
            .AppendLine(Invariant($"server RSS {before.RssMiB:F0} MiB before, peak (VmHWM, reset just before) {after.PeakMiB:F0} MiB, {after.RssMiB:F0} MiB after."))
            .ToString();
    }

    private static async Task<long> CountAsync(Stream body)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static async Task<Database> CreateDatabaseAsync(Options options, string provider, string label, List<Func<Task>> cleanup)
    {
        var folder = Directory.CreateTempSubdirectory($"coffer-bench-scale-{label}-").FullName;
        cleanup.Add(() =>
        {
            Directory.Delete(folder, recursive: true);
            return Task.CompletedTask;
        });
        var environment = new Dictionary<string, string>
        {
            // Every login of the login scenario comes from one address, and some accounts log in many times.
            ["Coffer__RateLimits__LoginPerIp__Limit"] = "1000000",
            ["Coffer__RateLimits__LoginPerAccount__Limit"] = "1000000",
        };
        if (provider == "SQLite")
        {
            var path = Path.Combine(folder, "coffer.db");
            return new Database(label, () => new SqliteCofferDb(new DbContextOptionsBuilder<SqliteCofferDb>().UseSqlite($"Data Source={path}").Options),
                folder, environment, () => Task.FromResult(Directory.EnumerateFiles(folder, "coffer.db*").Sum(f => new FileInfo(f).Length)));
        }

        var admin = options.Postgres!;
        var database = $"coffer_bench_scale_{label}_{Guid.NewGuid():N}";
        await FilesCommand.AdminAsync(admin, $"CREATE DATABASE \"{database}\"");
        cleanup.Add(async () =>
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await FilesCommand.AdminAsync(admin, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        });
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
        environment["Coffer__Database"] = connection;
        environment["Coffer__JwtSigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        return new Database(label, () => new PostgresCofferDb(new DbContextOptionsBuilder<PostgresCofferDb>().UseNpgsql(connection).Options),
            folder, environment, async () =>
            {
                await using var source = Npgsql.NpgsqlDataSource.Create(connection);
                await using var command = source.CreateCommand("SELECT pg_database_size(current_database())");
                return (long)(await command.ExecuteScalarAsync())!;
            });
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
