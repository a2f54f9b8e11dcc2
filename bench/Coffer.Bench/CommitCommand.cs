using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coffer.Protocol.Api;

namespace Coffer.Bench;

/// <summary>
/// <c>commit</c>: the write path on SQLite (<c>synchronous=FULL</c>). Item create (<c>POST /api/ciphers</c>, one
/// account) at 1 and at 8 connections against one server in the same run, then fsync calls per created item at 8
/// connections, counted with <c>strace -f -c -e trace=fsync,fdatasync -p PID</c> attached around a measured window of
/// its own (strace stops every syscall of the traced threads, so that window's throughput is not reported).
/// <c>--server DLL</c> measures another build (for the before/after figures).
/// </summary>
public static class CommitCommand
{
    public sealed record Options(string ServerDll, TimeSpan Warmup, TimeSpan Duration);

    public static async Task<int> RunAsync(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var coffer = await ServerProcess.StartCofferAsync(options.ServerDll);
        Console.WriteLine($"coffer-server pid {coffer.Pid} on {coffer.BaseAddress} ({options.ServerDll})");
        using var seedClient = LoadGenerator.CreateClient(coffer.BaseAddress, 1);
        var writer = await new VaultClient(seedClient).RegisterAndLoginAsync("writer@bench.test");
        var body = JsonSerializer.SerializeToUtf8Bytes(VaultClient.LoginItem(writer.UserKey, 0), CofferJson.Options);
        HttpRequestMessage Create()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/ciphers");
            VaultClient.Authorize(request, writer);
            request.Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };
            return request;
        }

        var results = new List<LoadResult>();
        foreach (var connections in new[] { 1, 8 })
        {
            using var client = LoadGenerator.CreateClient(coffer.BaseAddress, connections);
            var result = await LoadGenerator.RunAsync($"create ×{connections}", client, Create, new LoadOptions(connections, options.Warmup, options.Duration));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {result.Name}: {result.RequestsPerSecond:#,0} req/s, p50 {result.P50Ms:0.00} ms, errors {result.Errors}"));
            results.Add(result);
        }

        // The traced window: no warm-up (the server is warm), every request of the window counted; requests in flight
        // at its two edges may add up to 8 fsyncs that no counted item caused.
        using var traced = LoadGenerator.CreateClient(coffer.BaseAddress, 8);
        using var strace = StartStrace(coffer.Pid);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var during = await LoadGenerator.RunAsync("create ×8 (strace)", traced, Create, new LoadOptions(8, TimeSpan.Zero, options.Duration));
        var fsyncs = await StopStraceAsync(strace);
        var perItem = fsyncs / (double)Math.Max(1, during.Requests);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  strace: {fsyncs:#,0} fsync/fdatasync calls for {during.Requests:#,0} items = {perItem:0.000} per item"));

        var markdown = new StringBuilder();
        markdown.AppendLine(CultureInfo.InvariantCulture, $"| server | create ×1 (req/s) | create ×8 (req/s) | ×8 ÷ ×1 | fsync calls | items (strace window) | fsync per item |");
        markdown.AppendLine("|---|---|---|---|---|---|---|");
        markdown.AppendLine(CultureInfo.InvariantCulture,
            $"| `{Path.GetRelativePath(Environment.CurrentDirectory, options.ServerDll)}` | {results[0].RequestsPerSecond:#,0} | {results[1].RequestsPerSecond:#,0} | {results[1].RequestsPerSecond / results[0].RequestsPerSecond:0.00} | {fsyncs:#,0} | {during.Requests:#,0} | {perItem:0.000} |");
        Console.WriteLine();
        Console.WriteLine(markdown);
        return results.Concat([during]).Any(r => r.Errors > 0) ? 1 : 0;
    }

    private static Process StartStrace(int pid)
    {
        var start = new ProcessStartInfo("strace") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-f", "-c", "-e", "trace=fsync,fdatasync", "-p", pid.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("strace did not start");
    }

    /// <summary>Detaches strace (SIGINT) and sums the <c>calls</c> column of its <c>-c</c> summary.</summary>
    private static async Task<long> StopStraceAsync(Process strace)
    {
        using (var kill = Process.Start("kill", ["-INT", strace.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var summary = await strace.StandardError.ReadToEndAsync();
        await strace.WaitForExitAsync();
        long calls = 0;
        foreach (var line in summary.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[^1] is "fsync" or "fdatasync")
            {
                calls += long.Parse(fields[3], CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }
}
