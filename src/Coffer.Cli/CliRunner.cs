using System.CommandLine;
using System.Security.Cryptography;
using Coffer.Client;
using Coffer.Client.Integrity;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli;

/// <summary>Runs a verb with the global options and turns expected failures into one stderr line and their exit code (<see cref="ExitCodes"/>).</summary>
public sealed class CliRunner(CliHost host)
{
    private bool _argon2Noticed;

    public Option<string?> Server { get; } = new("--server") { Description = "Server base URL (overrides `coffer config server`)", Recursive = true };

    public Option<string?> CaCert { get; } = new("--ca-cert") { Description = "PEM file of a private CA to trust for TLS", Recursive = true };

    public Option<string?> PasswordEnv { get; } = new("--passwordenv") { Description = "Read the master password from this environment variable", Recursive = true };

    public Option<string?> PasswordFile { get; } = new("--passwordfile") { Description = "Read the master password from the first line of this file", Recursive = true };

    public Option<string?> Session { get; } = new("--session") { Description = "Session key from `coffer unlock` (default: $COFFER_SESSION)", Recursive = true };

    public Option<bool> Quiet { get; } = new("--quiet") { Description = "Print only data: no messages, hints or progress", Recursive = true };

    public CliHost Host { get; } = host;

    public int Sync(ParseResult result, Action<CliContext> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Run(() =>
        {
            action(Context(result));
            return Task.CompletedTask;
        }, result.GetValue(Quiet)).GetAwaiter().GetResult();
    }

    public Task<int> Async(ParseResult result, Func<CliContext, Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Run(() => action(Context(result)), result.GetValue(Quiet));
    }

    private CliContext Context(ParseResult result) => new(Host, new GlobalOptions(
        result.GetValue(Server), result.GetValue(CaCert), result.GetValue(PasswordEnv), result.GetValue(PasswordFile),
        result.GetValue(Session), result.GetValue(Quiet)));

    // A refusal locks the vault (malicious-server.md §2.2): the unlocked user key is forgotten, so no later command acts on
    // a session the server has just shown itself hostile in, until the user unlocks again on purpose.
    private void LockSession()
    {
        var directory = Storage.ConfigDirectory.Resolve(Host.GetEnvironment);
        if (directory.Read<Storage.SessionState>(Storage.StateFiles.Session) is { Unlocked: not null } session)
        {
            directory.Write(Storage.StateFiles.Session, session with { Unlocked = null });
        }
    }

    private async Task<int> Run(Func<Task> action, bool quiet)
    {
        try
        {
            await action();
            return ExitCodes.Ok;
        }
        catch (ServerIntegrityException e)
        {
            LockSession();
            await Host.Error.WriteLineAsync($"coffer: server integrity check failed ({e.Code}): " + e.Message.ReplaceLineEndings(" "));
            return ExitCodes.ServerIntegrity;
        }
        catch (Exception e) when (e is CliException or CofferApiException or ArgumentException or CryptographicException or IOException)
        {
            // One line, the server's or our own message; never a stack trace, never a secret.
            await Host.Error.WriteLineAsync("Error: " + e.Message.ReplaceLineEndings(" "));
            return e is CliException cli ? cli.ExitCode : ExitCodes.Error;
        }
        finally
        {
            if (Argon2.ManagedFallbackUsed && !quiet && !_argon2Noticed)
            {
                _argon2Noticed = true;
                await Host.Error.WriteLineAsync("Note: libargon2.so.1 not found; Argon2id ran on the slower managed fallback.");
            }
        }
    }
}
