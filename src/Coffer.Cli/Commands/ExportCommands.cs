using System.CommandLine;
using Coffer.Client.Exchange;
using Coffer.Client.Vault;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer export --format json|csv|encrypted_json [--output FILE]</c>: Bitwarden's export formats, so
/// <c>bw import</c> reads what this writes. The vault is synced first; trashed items are left out, as with
/// <c>bw export</c>.
/// </summary>
internal static class ExportCommands
{
    public static Option<string?> FilePasswordEnvOption() => new("--file-passwordenv")
    {
        Description = "Read the export file's password (not the master password) from this environment variable",
    };

    public static Command Create(CliRunner run)
    {
        var format = new Option<string>("--format") { Description = "json, csv or encrypted_json (password-protected JSON)", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("json", "csv", "encrypted_json");
        var output = new Option<string?>("--output") { Description = "Write to this file (created with mode 0600) instead of stdout" };
        var passwordEnv = FilePasswordEnvOption();
        var command = new Command("export", "Export the vault in clear text (json, csv) or under a file password (encrypted_json)")
        {
            format, output, passwordEnv,
        };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var kind = r.GetValue(format)!;
            var path = r.GetValue(output);
            if (path is null && ctx.Host.OutIsTerminal && kind != "encrypted_json")
            {
                var answer = ctx.Host.ReadLineFromTerminal?.Invoke("This prints every password of the vault on the terminal. Continue? [y/N] ");
                if (answer?.Trim().ToUpperInvariant() is not ("Y" or "YES"))
                {
                    throw new CliException("Export cancelled. Pass --output FILE to write a file instead.");
                }
            }

            var filePassword = kind == "encrypted_json" ? ReadFilePassword(ctx, r.GetValue(passwordEnv), confirm: true) : null;
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                connected = await VaultSession.PullAsync(ctx, client, connected, ct);
            }

            var folders = VaultSession.Folders(connected, userKey).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
            var items = VaultSession.Ciphers(connected)
                // Like bw export without --organizationid: the personal vault only.
                .Where(c => c.DeletedDate is null && string.IsNullOrEmpty(c.OrganizationId))
                .Select(c => VaultCrypto.Decrypt(c, userKey))
                .ToList();

            using Stream stream = path is null ? new MemoryStream() : CreatePrivateFile(path);
            switch (kind)
            {
                case "json":
                    BitwardenJson.Write(stream, items, folders);
                    break;
                case "encrypted_json":
                    BitwardenJson.WriteProtected(stream, items, folders, filePassword!, KdfConfig.DefaultPbkdf2);
                    break;
                default:
                    BitwardenCsv.Write(stream, items, folders);
                    break;
            }

            if (stream is MemoryStream memory)
            {
                await ctx.Host.Out.WriteLineAsync(System.Text.Encoding.UTF8.GetString(memory.GetBuffer(), 0, (int)memory.Length).TrimEnd('\n'));
            }
            else
            {
                await ctx.Host.Error.WriteLineAsync($"Exported {items.Count} items to {path}.");
            }
        }));
        return command;
    }

    /// <summary>
    /// The password of an export file, from <c>--file-passwordenv VAR</c> or a no-echo prompt (asked twice when
    /// writing, so a typo cannot lock the file). Never from the master password options: a file password is
    /// meant to be shared with whoever imports the file, the master password never is.
    /// </summary>
    public static string ReadFilePassword(CliContext ctx, string? variable, bool confirm)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (variable is not null)
        {
            return ctx.Host.GetEnvironment(variable) is { Length: > 0 } value
                ? value
                : throw new CliException($"Environment variable {variable} is empty or not set.");
        }

        var ask = ctx.Host.ReadSecretWithPrompt
            ?? throw new CliException("No terminal to ask for the file password; pass --file-passwordenv VAR.");
        var typed = ask("File password: ");
        if (string.IsNullOrEmpty(typed))
        {
            throw new CliException("No file password given.");
        }

        if (confirm && ask("File password again: ") != typed)
        {
            throw new CliException("The two file passwords differ; nothing was exported.");
        }

        return typed;
    }

    /// <summary>
    /// Creates the file with mode 0600 from the start (no window in which another user could open it), failing if
    /// it exists rather than overwriting something the user did not mean to lose.
    /// </summary>
    private static FileStream CreatePrivateFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            return new FileStream(path, options);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new CliException($"'{path}' already exists; choose another name or remove it first.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot create '{path}': {e.Message}", e);
        }
    }
}
