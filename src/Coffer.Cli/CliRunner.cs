using System.CommandLine;
using System.Security.Cryptography;
using Coffer.Client;

namespace Coffer.Cli;

/// <summary>Runs a verb with the global options and turns expected failures into one stderr line and their exit code (<see cref="ExitCodes"/>).</summary>
public sealed class CliRunner(CliHost host)
{
    public Option<string?> Server { get; } = new("--server") { Description = "Server base URL (overrides `coffer config server`)", Recursive = true };

    public Option<string?> CaCert { get; } = new("--ca-cert") { Description = "PEM file of a private CA to trust for TLS", Recursive = true };

    public Option<string?> PasswordEnv { get; } = new("--passwordenv") { Description = "Read the master password from this environment variable", Recursive = true };

    public Option<string?> PasswordFile { get; } = new("--passwordfile") { Description = "Read the master password from the first line of this file", Recursive = true };

    public CliHost Host { get; } = host;

    public int Sync(ParseResult result, Action<CliContext> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Run(() =>
        {
            action(Context(result));
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();
    }

    public Task<int> Async(ParseResult result, Func<CliContext, Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Run(() => action(Context(result)));
    }

    private CliContext Context(ParseResult result) => new(Host, new GlobalOptions(
        result.GetValue(Server), result.GetValue(CaCert), result.GetValue(PasswordEnv), result.GetValue(PasswordFile)));

    private async Task<int> Run(Func<Task> action)
    {
        try
        {
            await action();
            return 0;
        }
        catch (Exception e) when (e is CliException or CofferApiException or ArgumentException or CryptographicException or IOException)
        {
            // One line, the server's or our own message; never a stack trace, never a secret.
            await Host.Error.WriteLineAsync("Error: " + e.Message.ReplaceLineEndings(" "));
            return e is CliException cli ? cli.ExitCode : ExitCodes.Error;
        }
    }
}
