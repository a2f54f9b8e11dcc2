using System.CommandLine;
using Coffer.Cli.Commands;

namespace Coffer.Cli;

/// <summary>The <c>coffer</c> command tree. Exit codes: <see cref="ExitCodes"/>.</summary>
public static class CofferCli
{
    public const int UsageError = ExitCodes.Usage;

    public static RootCommand Build(CliRunner run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var root = new RootCommand("coffer: a client for Coffer and other Bitwarden-compatible servers")
        {
            AccountCommands.Config(run),
            AccountCommands.Register(run),
            AccountCommands.Login(run),
            AccountCommands.Logout(run),
            AccountCommands.Sync(run),
            SessionCommands.Unlock(run),
            SessionCommands.Lock(run),
            SessionCommands.Status(run),
            CompletionCommand.Create(run),
            AccountSecurityCommands.Create(run),
            DeviceCommands.Create(run),
            EventCommands.Create(run),
            ItemCommands.List(run),
            ItemCommands.Get(run),
            EditCommands.Add(run),
            EditCommands.Edit(run),
            EditCommands.Remove(run),
            EditCommands.Restore(run),
            VaultCommands.Create(run),
            FolderCommands.Create(run),
            OrgCommands.Create(run),
            CollectionCommands.Create(run),
            OrgCommands.Share(run),
            EmergencyCommands.Create(run),
            ImportCommands.Create(run),
            ExportCommands.Create(run),
            GenerateCommand.Create(run),
            TwoFactorCommands.Create(run),
            AttachmentCommands.Create(run),
            SendCommands.Create(run),
            SendCommands.Receive(run),
        };
        root.Options.Add(run.Server);
        root.Options.Add(run.CaCert);
        root.Options.Add(run.PasswordEnv);
        root.Options.Add(run.PasswordFile);
        root.Options.Add(run.Session);
        root.Options.Add(run.Quiet);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var root = Build(new CliRunner(host));
        var result = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = host.Out, Error = host.Error };
        if (result.Errors.Count > 0)
        {
            // Usage errors get exit code 2 (as getopt-style tools do), separate from runtime failures (1).
            foreach (var error in result.Errors)
            {
                await host.Error.WriteLineAsync("Error: " + error.Message);
            }

            await host.Error.WriteLineAsync("Run `coffer --help` for usage.");
            return UsageError;
        }

        return await result.InvokeAsync(configuration, ct);
    }
}
