using System.CommandLine;
using System.Text.Json;
using Coffer.Cli.Storage;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>unlock</c>, <c>lock</c> and <c>status</c>: the session key that spares every later command the master
/// password and the KDF, as <c>bw unlock</c> and <c>BW_SESSION</c> do.
/// </summary>
internal static class SessionCommands
{
    public static Command Unlock(CliRunner run)
    {
        var raw = new Option<bool>("--raw") { Description = "Print only the session key" };
        var command = new Command("unlock", "Unlock the vault once and print a session key for COFFER_SESSION") { raw };
        command.SetAction(r => run.Sync(r, ctx =>
        {
            var session = ctx.RequireSession();
            // Always the master password: a COFFER_SESSION already set must not mint itself a successor.
            using var userKey = ctx.UnlockWithPassword(session);
            var (key, entry) = SessionKey.Protect(userKey, session.Email);
            ctx.SaveSession(session with { Unlocked = entry });
            PrintSessionKey(ctx, key, r.GetValue(raw));
        }));
        return command;
    }

    public static Command Lock(CliRunner run)
    {
        var command = new Command("lock", "Forget the unlocked key: every COFFER_SESSION key stops working");
        command.SetAction(r => run.Sync(r, ctx =>
        {
            if (ctx.LoadSession() is { Unlocked: not null } session)
            {
                ctx.SaveSession(session with { Unlocked = null });
            }

            ctx.Info("Your vault is locked.");
        }));
        return command;
    }

    public static Command Status(CliRunner run)
    {
        var json = new Option<bool>("--json") { Description = "Print {serverUrl, lastSync, userEmail, userId, status} as bw status does" };
        var command = new Command("status", "Server, account and whether the vault is unlocked; never asks for the password") { json };
        command.SetAction(r => run.Sync(r, ctx =>
        {
            var status = Read(ctx);
            if (r.GetValue(json))
            {
                ctx.Host.Out.WriteLine(JsonSerializer.Serialize(status, ItemCommands.Json));
                return;
            }

            ctx.Host.Out.WriteLine($"Server: {status.ServerUrl ?? "(not set; run `coffer config server URL`)"}");
            ctx.Host.Out.WriteLine($"Account: {status.UserEmail ?? "(not logged in)"}");
            ctx.Host.Out.WriteLine($"Last sync: {status.LastSync?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "never"}");
            ctx.Host.Out.WriteLine($"Status: {status.Status}");
        }));
        return command;
    }

    /// <summary>
    /// Prints a new session key: with <paramref name="raw"/> only the key; otherwise an <c>export</c> line on stdout
    /// (so <c>eval "$(coffer unlock)"</c> works) and how to use it on stderr.
    /// </summary>
    public static void PrintSessionKey(CliContext ctx, string key, bool raw)
    {
        if (raw)
        {
            ctx.Host.Out.WriteLine(key);
            return;
        }

        ctx.Notice($"Your vault is unlocked. Set {SessionKey.EnvironmentVariable} to use it without the password (or pass --session KEY):");
        ctx.Host.Out.WriteLine($"export {SessionKey.EnvironmentVariable}=\"{key}\"");
        ctx.Notice("`coffer lock` makes this key useless; `coffer unlock` makes a new one.");
    }

    /// <summary>What <c>status</c> reports, in <c>bw status</c>'s shape and status words.</summary>
    internal sealed record StatusModel(string? ServerUrl, DateTimeOffset? LastSync, string? UserEmail, Guid? UserId, string Status);

    private static StatusModel Read(CliContext ctx)
    {
        var session = ctx.LoadSession();
        var server = ctx.Options.Server ?? session?.Server ?? ctx.LoadConfig().Server;
        if (session is null)
        {
            return new StatusModel(server, null, null, null, "unauthenticated");
        }

        var unlocked = false;
        if (ctx.SessionKeyText is { } key && session.Unlocked is { } entry)
        {
            try
            {
                using var userKey = SessionKey.Open(entry, key, session.Email);
                unlocked = true;
            }
            catch (CliException e) when (e.ExitCode == ExitCodes.Locked)
            {
                // A wrong or stale key is simply "locked" here: status reports, it does not fail.
            }
        }

        return new StatusModel(server, session.LastSync, session.Email, session.Sync?.Profile.Id, unlocked ? "unlocked" : "locked");
    }
}
