using System.Diagnostics;
using System.Text;

namespace Coffer.Testing;

/// <summary>What one finished child process did; <see cref="ToString"/> is written into every assertion message.</summary>
public sealed record ProcessResult(string Description, int ExitCode, string StdOut, string StdErr, bool TimedOut, TimeSpan Elapsed)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;

    public override string ToString()
    {
        var status = (TimedOut ? "TIMED OUT (killed)" : $"exit code {ExitCode}") + $", {Elapsed.TotalSeconds:0.0} s";
        return $"""
            $ {Description}
            [{status}]
            --- stdout ---
            {StdOut.TrimEnd()}
            --- stderr ---
            {StdErr.TrimEnd()}
            --------------
            """;
    }
}

/// <summary>
/// Starts programs with an explicit argument list and environment, captures both streams, and kills the whole
/// process tree when a deadline passes, so a hung client fails its test instead of hanging the run.
/// </summary>
public static class ChildProcess
{
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        string workingDirectory,
        TimeSpan timeout,
        string? displayName = null)
    {
        var args = arguments.ToList();
        var description = $"{displayName ?? fileName} {string.Join(' ', args.Select(Quote))}";
        using var process = new Process { StartInfo = CreateStartInfo(fileName, args, environment, workingDirectory) };
        process.StartInfo.RedirectStandardInput = true;

        var clock = Stopwatch.StartNew();
        process.Start();

        // Whole streams, not lines: whether a client ends its output with a newline is part of what is tested.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Closing stdin tells a client that nothing will ever be typed at a prompt.
        process.StandardInput.Close();

        var timedOut = false;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
            }
        }

        await process.WaitForExitAsync();
        return new ProcessResult(description, process.ExitCode, await stdout, await stderr, timedOut, clock.Elapsed);
    }

    public static ProcessStartInfo CreateStartInfo(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        string workingDirectory)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        return info;
    }

    /// <summary>The `dotnet` host that runs this test, so child processes use the same SDK's runtime.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string Quote(string argument) =>
        argument.Length == 0 || argument.Any(char.IsWhiteSpace) ? $"'{argument}'" : argument;
}
