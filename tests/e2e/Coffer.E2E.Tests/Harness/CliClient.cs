using System.Text.Json;

namespace Coffer.E2E.Tests.Harness;

/// <summary>
/// One client program (bw or coffer) with its own state folder. Every call is named by a step, and a failing
/// step puts the step, the command line, both output streams and the tail of the server log into the message.
/// </summary>
public abstract class CliClient
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly IServerHost fixture;

    protected CliClient(IServerHost fixture, string stateFolder)
    {
        this.fixture = fixture;
        StateFolder = stateFolder;
        Directory.CreateDirectory(stateFolder);
    }

    /// <summary>The client's private folder: its configuration, cache and any files a step writes.</summary>
    public string StateFolder { get; }

    protected abstract string DisplayName { get; }

    protected abstract string FileName { get; }

    /// <summary>Arguments before the command's own (the script to run, global flags).</summary>
    protected abstract IEnumerable<string> FixedArguments { get; }

    /// <summary>Arguments after the command's own (global options that are valid after any verb).</summary>
    protected virtual IEnumerable<string> TrailingArguments => [];

    /// <summary>More variables for every later command of this client (e.g. a new master password's variable).</summary>
    public Dictionary<string, string?> ExtraEnvironment { get; } = [];

    /// <summary>Runs a command that must succeed and returns its standard output.</summary>
    public async Task<string> OkAsync(string step, params string[] arguments)
    {
        var result = await RunAsync(arguments);
        if (!result.Succeeded)
        {
            Assert.Fail(Explain(step, "the command failed", result));
        }

        return result.StdOut;
    }

    /// <summary>Runs a command that must succeed and print one JSON document.</summary>
    public async Task<JsonElement> JsonAsync(string step, params string[] arguments)
    {
        var result = await RunAsync(arguments);
        if (!result.Succeeded)
        {
            Assert.Fail(Explain(step, "the command failed", result));
        }

        try
        {
            using var document = JsonDocument.Parse(result.StdOut);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            Assert.Fail(Explain(step, $"its output is not JSON ({e.Message})", result));
            throw;
        }
    }

    /// <summary>Runs a command that must fail, and returns what it printed.</summary>
    public async Task<ProcessResult> FailsAsync(string step, params string[] arguments)
    {
        var result = await RunAsync(arguments);
        if (result.Succeeded || result.TimedOut)
        {
            Assert.Fail(Explain(step, "the command was expected to fail (and not to hang)", result));
        }

        return result;
    }

    public Task<ProcessResult> RunAsync(params string[] arguments) =>
        ChildProcess.RunAsync(
            FileName,
            FixedArguments.Concat(arguments).Concat(TrailingArguments),
            Environment().Concat(ExtraEnvironment).ToDictionary(),
            StateFolder,
            CommandTimeout,
            DisplayName);

    /// <summary>A failure message for an assertion about a step's output.</summary>
    public string Explain(string step, string problem, ProcessResult? result = null) =>
        $"""
        Step '{step}' ({DisplayName}): {problem}.
        {result}
        --- last lines of the coffer-server log ---
        {fixture.ServerLogTail()}
        """;

    protected abstract IReadOnlyDictionary<string, string?> Environment();
}
