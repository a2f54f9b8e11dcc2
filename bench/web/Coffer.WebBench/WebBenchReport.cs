using System.Globalization;
using System.Text;

namespace Coffer.WebBench;

internal static class WebBenchReport
{
    private const double TargetMs = 3000;

    public static string Markdown(WebBenchOptions options, string chromiumVersion, string loadAverage, IReadOnlyList<UnlockTiming> login, IReadOnlyList<UnlockTiming> unlock)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine("# Web vault: large vault to list on screen");
        text.AppendLine();
        text.AppendLine(culture, $"Headless Chromium {chromiumVersion} (Debian package), {Environment.ProcessorCount} CPU cores (load average {loadAverage} at the start), coffer-server Release on 127.0.0.1 (SQLite).");
        text.AppendLine(culture, $"Account: {options.Items:N0} items (logins with TOTP, notes, cards, identities) in {options.Folders} folders, PBKDF2-SHA256 600,000 iterations.");
        text.AppendLine(culture, $"{options.Runs} runs after {options.Warmup} warm-up; every run is a fresh browser context (cold page, empty storage).");
        text.AppendLine("Clock: performance.now() in the page, from the form's submit event to the first task after the animation frame that");
        text.AppendLine("follows the app's `vault-list-ready` mark (the list painted); \"in DOM\" stops at the mark itself.");
        text.AppendLine();
        text.AppendLine("| From pressing | to | best | median | worst | target |");
        text.AppendLine("|---|---|---:|---:|---:|---:|");
        Row(text, "Log in (prelogin, KDF, token, sync, decrypt)", "list painted", login.Select(t => t.ToFrame));
        Row(text, "Log in", "list in DOM", login.Select(t => t.ToMark));
        Row(text, "Unlock (KDF, sync, decrypt)", "list painted", unlock.Select(t => t.ToFrame));
        Row(text, "Unlock", "list in DOM", unlock.Select(t => t.ToMark));
        text.AppendLine();
        text.AppendLine("Reproduce: `bench/web/run.sh` (options: `--items N --folders N --runs N --warmup N`).");
        return text.ToString();
    }

    // The 1-minute load average before the runs: this machine is shared, and other work slows the browser down.
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static void Row(StringBuilder text, string from, string to, IEnumerable<double> millis)
    {
        var sorted = millis.Order().ToList();
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {from} | {to} | {sorted[0]:N0} ms | {median:N0} ms | {sorted[^1]:N0} ms | {(median < TargetMs ? "< 3 s ✓" : "< 3 s ✗")} |");
    }
}
