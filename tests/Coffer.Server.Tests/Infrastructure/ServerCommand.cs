using System.Diagnostics;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>Runs the built server (<c>coffer-server.dll</c> beside the tests) as a child process with a command.</summary>
public static class ServerCommand
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Task<Result> RunAsync(string dataFolder, params string[] args) => RunAsync(dataFolder, new Dictionary<string, string>(), args);

    /// <summary>As above, with <paramref name="environment"/> set last (over the test database's settings), e.g. <c>PATH</c> or <c>Coffer__Database</c>.</summary>
    public static async Task<Result> RunAsync(string dataFolder, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "coffer-server.dll");
        Assert.True(File.Exists(dll), $"Server not built at {dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Coffer__DataFolder"] = dataFolder;
        foreach (var (key, value) in TestDatabase.SettingsFor(dataFolder))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
