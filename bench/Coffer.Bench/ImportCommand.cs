using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Coffer.Bench;

/// <summary>
/// <c>Coffer.Bench import [--rows N]</c>: times <c>coffer import lastpasscsv</c> of an N-row file (100,000 by
/// default) against the real Release server, both as child processes, and reports the peak resident memory
/// (VmHWM of /proc/&lt;pid&gt;/status) of the <c>coffer</c> process and of the server. The import runs with
/// <c>--no-sync</c>, so the figure is the import's own; the later full sync of the vault is timed separately.
/// </summary>
public static class ImportCommand
{
    public static async Task<int> RunAsync(string repoRoot, int rows)
    {
        var cliDll = Path.Combine(repoRoot, "src/Coffer.Cli/bin/Release/net10.0/coffer.dll");
        var serverDll = Path.Combine(repoRoot, "src/Coffer.Server/bin/Release/net10.0/coffer-server.dll");
        var scratch = Directory.CreateTempSubdirectory("coffer-bench-import-");
        try
        {
            await using var server = await ServerProcess.StartCofferAsync(serverDll);
            var environment = new Dictionary<string, string>
            {
                ["COFFER_CONFIG_DIR"] = scratch.CreateSubdirectory("cli").FullName,
                ["BENCH_PASSWORD"] = "bench import password",
            };
            var email = $"import-{Guid.NewGuid():N}@example.com";
            await CofferAsync(cliDll, environment, "config", "server", server.BaseAddress.ToString());
            await CofferAsync(cliDll, environment, "register", email, "--passwordenv", "BENCH_PASSWORD");
            await CofferAsync(cliDll, environment, "login", email, "--passwordenv", "BENCH_PASSWORD");

            var file = Path.Combine(scratch.FullName, "lastpass.csv");
            WriteLastPassCsv(file, rows);
            var serverBefore = server.Memory();
            var import = await CofferAsync(cliDll, environment, "import", "lastpasscsv", file, "--no-sync", "--passwordenv", "BENCH_PASSWORD");
            var serverAfter = server.Memory();
            var sync = await CofferAsync(cliDll, environment, "sync");

            var report = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture, $"# coffer import: {rows:N0} rows of lastpasscsv ({new FileInfo(file).Length / 1e6:F1} MB)")
                .AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; server on SQLite in a temporary folder.")
                .AppendLine()
                .AppendLine("| Step | Wall time | Peak RSS of coffer (VmHWM) | Server VmHWM after |")
                .AppendLine("|---|---|---|---|")
                .AppendLine(CultureInfo.InvariantCulture, $"| `coffer import lastpasscsv FILE --no-sync` | {import.Elapsed.TotalSeconds:F1} s ({rows / import.Elapsed.TotalSeconds:N0} items/s) | {import.PeakMiB:F0} MiB | {serverAfter.PeakMiB:F0} MiB (before: {serverBefore.PeakMiB:F0} MiB) |")
                .AppendLine(CultureInfo.InvariantCulture, $"| `coffer sync` (downloads and stores the {rows:N0}-item vault) | {sync.Elapsed.TotalSeconds:F1} s | {sync.PeakMiB:F0} MiB | {server.Memory().PeakMiB:F0} MiB |")
                .ToString();
            Console.WriteLine(report);
            var results = Path.Combine(repoRoot, "bench/results");
            Directory.CreateDirectory(results);
            await File.WriteAllTextAsync(Path.Combine(results, "import.md"), report);
            return 0;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>LastPass's layout; every tenth row a secure note, one of 20 groupings nested with LastPass's backslash.</summary>
    private static void WriteLastPassCsv(string path, int rows)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.Write("url,username,password,totp,extra,name,grouping,fav\n");
        for (var i = 0; i < rows; i++)
        {
            var line = i % 10 == 9
                ? $"http://sn,,,,\"Note {i}\nsecond line, with comma\",Note {i},Notes\\Group {i % 20},0\n"
                : $"https://site{i}.example.com/login,user{i}@example.com,\"pw-{i}-\"\"x\"\"\",,\"notes {i}\",Site {i},Work\\Group {i % 20},{i % 7 / 6}\n";
            writer.Write(line);
        }
    }

    private static async Task<(TimeSpan Elapsed, double PeakMiB)> CofferAsync(string cliDll, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cliDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        ChildProcesses.Track(process);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var peak = 0.0;

        // VmHWM only grows, so the last reading before the process exits is its peak (to within one poll).
        while (!process.HasExited)
        {
            peak = Math.Max(peak, PeakMiB(process.Id));
            await Task.Delay(20);
        }

        await process.WaitForExitAsync();
        clock.Stop();
        ChildProcesses.Forget(process);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"coffer {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
        }

        return (clock.Elapsed, peak);
    }

    private static double PeakMiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
