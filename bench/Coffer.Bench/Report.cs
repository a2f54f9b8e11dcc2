using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Coffer.Bench;

/// <summary>Start runs of Coffer, and of the bare ASP.NET Core app (bench/Coffer.Bare) in the same run: its start and idle RSS (MB).</summary>
public sealed record StartupFigures(IReadOnlyList<double> EmptyFolderMs, IReadOnlyList<double> ExistingDatabaseMs, IReadOnlyList<double>? BareMs = null, double BareIdleMB = double.NaN);

/// <summary>Resident memory in MB (10^6 bytes, the unit of the target), read from /proc/&lt;pid&gt;/status.</summary>
public sealed record MemoryFigures(double IdleMB, double AfterLoadMB, double PeakMB, double BaselineIdleMB);

public sealed record HttpRun(
    string Machine,
    int Connections,
    double WarmupSeconds,
    double DurationSeconds,
    StartupFigures Startup,
    MemoryFigures Memory,
    IReadOnlyList<LoadResult> Loads);

/// <summary>Turns a run into the Markdown table of bench/results/latest.md (and raw JSON beside it), with a verdict per target.</summary>
public static class Report
{
    private const double StartTargetMs = 1_000;
    private const double IdleRssTargetMB = 60;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static string Markdown(HttpRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var md = new StringBuilder();
        md.AppendLine("# Coffer HTTP benchmark");
        md.AppendLine();
        md.AppendLine(Invariant($"{run.Machine}; {run.Connections} connections, closed loop, {run.WarmupSeconds:0} s warm-up + {run.DurationSeconds:0} s measured per scenario; load generator on the same machine (it shares the cores with the server)."));
        md.AppendLine();
        md.AppendLine("## Start and memory");
        md.AppendLine();
        md.AppendLine("| Figure | Value | Target | Verdict |");
        md.AppendLine("|---|---:|---|---|");
        StartRow(md, "Start to healthy, empty data folder (best of 3)", run.Startup.EmptyFolderMs);
        StartRow(md, "Start to healthy, existing database (best of 3)", run.Startup.ExistingDatabaseMs);
        md.AppendLine(Invariant($"| Idle RSS after start + settle | {run.Memory.IdleMB:0.0} MB | ≤ {IdleRssTargetMB:0} MB | {Verdict(run.Memory.IdleMB <= IdleRssTargetMB)} |"));
        md.AppendLine(Invariant($"| RSS after the load + settle | {run.Memory.AfterLoadMB:0.0} MB | — | reported |"));
        md.AppendLine(Invariant($"| Peak RSS during the run (VmHWM) | {run.Memory.PeakMB:0.0} MB | — | reported |"));
        if (run.Startup.BareMs is { Count: > 0 } bare)
        {
            var ratio = run.Startup.ExistingDatabaseMs.Count > 0 ? run.Startup.ExistingDatabaseMs.Min() / bare.Min() : double.NaN;
            md.AppendLine(Invariant($"| Start to healthy of the bare ASP.NET Core app (best of {bare.Count}) | {bare.Min():0} ms; Coffer (existing database) ÷ bare = {ratio:0.00} | ≤ 1.5× | {Verdict(ratio <= 1.5)} |"));
            md.AppendLine(Invariant($"| Idle RSS of the bare ASP.NET Core app | {run.Startup.BareIdleMB:0.0} MB; Coffer ÷ bare = {run.Memory.IdleMB / run.Startup.BareIdleMB:0.00} | ≤ 1.25× | {Verdict(run.Memory.IdleMB / run.Startup.BareIdleMB <= 1.25)} |"));
        }

        md.AppendLine(Invariant($"| Idle RSS of the minimal Kestrel baseline | {run.Memory.BaselineIdleMB:0.0} MB | — | floor for comparison |"));
        md.AppendLine();
        md.AppendLine("## Throughput");
        md.AppendLine();
        md.AppendLine("| Scenario | What | req/s | p50 ms | p99 ms | errors | body bytes | × hello | Target | Verdict |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|---|");
        var hello = Find(run, Scenarios.Hello);
        var sync3000 = Find(run, Scenarios.Sync3000);
        var static3000 = Find(run, Scenarios.Static3000);
        foreach (var load in run.Loads)
        {
            var (target, verdict) = TargetOf(load, sync3000, static3000);
            var vsHello = hello is null ? "" : Invariant($"{load.RequestsPerSecond / hello.RequestsPerSecond:0.000}");
            var errors = load.Errors == 0 ? "0" : Invariant($"**{load.Errors}** ({load.FirstError})");
            md.AppendLine(Invariant($"| {load.Name} | {Describe(load.Name)} | {load.RequestsPerSecond:#,0} | {load.P50Ms:0.00} | {load.P99Ms:0.00} | {errors} | {load.ResponseBytes:#,0} | {vsHello} | {target} | {verdict} |"));
        }

        if (sync3000 is not null && static3000 is not null)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"Sync of 3,000 items vs the same bytes served statically: static/sync = **{static3000.RequestsPerSecond / sync3000.RequestsPerSecond:0.00}×** (target ≤ {Scenarios.Sync3000MaxSlowdown:0.0}×)."));
        }

        HttpsSync.AppendSection(md, run.Loads);
        md.AppendLine();
        md.AppendLine("× hello is each scenario's req/s over the baseline's 5-byte response: the share of the machine's request-rate ceiling that the route reaches.");
        return md.ToString();
    }

    public static async Task WriteAsync(HttpRun run, string markdown, string folder)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "latest.md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(folder, "latest.json"), JsonSerializer.Serialize(run, JsonOptions));
    }

    private static (string Target, string Verdict) TargetOf(LoadResult load, LoadResult? sync3000, LoadResult? static3000)
    {
        var clean = load.Errors == 0;
        switch (load.Name)
        {
            case Scenarios.Create:
                return (Invariant($"≥ {Scenarios.CreateTarget:#,0}/s"), Verdict(clean && load.RequestsPerSecond >= Scenarios.CreateTarget));
            case Scenarios.Sync100:
                return (Invariant($"≥ {Scenarios.Sync100Target:#,0}/s"), Verdict(clean && load.RequestsPerSecond >= Scenarios.Sync100Target));
            case Scenarios.Sync3000 when static3000 is not null:
                var slowdown = static3000.RequestsPerSecond / load.RequestsPerSecond;
                return (Invariant($"static/sync ≤ {Scenarios.Sync3000MaxSlowdown:0.0} (is {slowdown:0.00})"), Verdict(clean && slowdown <= Scenarios.Sync3000MaxSlowdown));
            case Scenarios.Static3000 when sync3000 is not null:
                return ("yardstick for sync-3000", clean ? "—" : Verdict(false));
            default:
                return ("—", clean ? "reported" : Verdict(false));
        }
    }

    private static void StartRow(StringBuilder md, string label, IReadOnlyList<double> ms)
    {
        if (ms.Count == 0)
        {
            return;
        }

        var best = ms.Min();
        var all = string.Join(", ", ms.Select(m => Invariant($"{m:0}")));
        md.AppendLine(Invariant($"| {label} | {best:0} ms (runs: {all}) | ≤ {StartTargetMs:#,0} ms | {Verdict(best <= StartTargetMs)} |"));
    }

    private static string Describe(string name) => name switch
    {
        Scenarios.Hello => "baseline app, 5-byte body",
        Scenarios.Alive => "GET /alive (pipeline only)",
        Scenarios.Config => "GET /api/config + Bearer (JWT + stamp query)",
        Scenarios.List100 => "GET /api/ciphers, 100 items",
        Scenarios.Sync100 => "GET /api/sync, 100 items",
        Scenarios.Sync3000 => "GET /api/sync, 3,000 items",
        Scenarios.Static3000 => "baseline app, same bytes as sync-3000",
        Scenarios.Create => "POST /api/ciphers",
        HttpsSync.CofferIdentity => "GET /api/sync, 3,000 items, over HTTPS",
        HttpsSync.NginxIdentity => "nginx over HTTPS, same bytes as sync-3000-https",
        HttpsSync.CofferGzip => "… with Accept-Encoding: gzip",
        HttpsSync.NginxGzip => "nginx gzip_static, same bytes as sync-3000-https-gzip",
        _ => name,
    };

    private static LoadResult? Find(HttpRun run, string name) => run.Loads.FirstOrDefault(l => l.Name == name);

    private static string Verdict(bool met) => met ? "met" : "**MISSED**";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
