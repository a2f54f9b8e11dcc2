using System.Diagnostics;
using System.Text;

namespace Coffer.E2E.Tests.Harness;

/// <summary>What one finished child process did; <see cref="ToString"/> is written into every assertion message.</summary>
public sealed record ProcessResult(string Description, int ExitCode, string StdOut, string StdErr, bool TimedOut)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;

    public override string ToString()
    {
        var status = TimedOut ? "TIMED OUT (killed)" : $"exit code {ExitCode}";
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
        string? displayName = null,
        string? standardInput = null)
    {
        var args = arguments.ToList();
        var description = $"{displayName ?? fileName} {string.Join(' ', args.Select(Quote))}";
        using var process = new Process { StartInfo = CreateStartInfo(fileName, args, environment, workingDirectory) };
        process.StartInfo.RedirectStandardInput = true;

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

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

        // The parameterless wait also drains the redirected streams.
        await process.WaitForExitAsync();
        return new ProcessResult(description, process.ExitCode, Read(stdout), Read(stderr), timedOut);
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

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }

    private static string Quote(string argument) =>
        argument.Length == 0 || argument.Any(char.IsWhiteSpace) ? $"'{argument}'" : argument;
}
