using System.CommandLine;
using System.Text.Json.Nodes;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer 2fa email enable|disable</c> and <c>coffer 2fa keys list|rm</c>: two-step login by e-mailed code
/// (provider 1) and the security keys (provider 7) registered in the web vault, through the web vault's calls
/// (the user verification token of <c>get-email</c> / <c>get-webauthn</c> proves the master password for the rest).
/// Registering a key needs a browser's WebAuthn, so the command line only lists and removes them.
/// </summary>
internal static class TwoFactorProviderCommands
{
    public static Command Email(CliRunner run) => new("email", "Two-step login by e-mailed code")
    {
        EmailEnable(run),
        EmailDisable(run),
    };

    public static Command Keys(CliRunner run) => new("keys", "Security keys (register them in the web vault)")
    {
        KeysList(run),
        KeysRemove(run),
    };

    private static Command EmailEnable(CliRunner run)
    {
        var address = new Option<string?>("--address") { Description = "Where login codes go (default: the account's e-mail address)" };
        var code = new Option<string?>("--code") { Description = "The code mailed to that address (asked for at the terminal otherwise)" };
        var command = new Command("enable", "Turn on two-step login by e-mail: mails a code to the address, then asks for it") { address, code };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, session) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                var current = await client.GetTwoFactorEmailAsync(ctx.MasterPasswordHash(session), ct);
                var to = r.GetValue(address) ?? current.Email.Email;
                var token = current.UserVerificationToken!;
                await client.SendTwoFactorEmailSetupCodeAsync(to, token, ct);
                ctx.Host.Out.WriteLine($"A confirmation code was sent to {to}.");
                var given = r.GetValue(code) ?? ctx.Host.ReadLineFromTerminal?.Invoke("Code from the e-mail: ")?.Trim()
                    ?? throw new CliException("Code is required: run again with --code CODE, the code from the e-mail (valid 10 minutes).");
                var enabled = await client.EnableTwoFactorEmailAsync(to, given, token, ct);
                ctx.Host.Out.WriteLine($"Two-step login by e-mail is on: login codes go to {enabled.Email.Email}.");
                var recovery = await client.GetRecoveryCodeAsync(ctx.MasterPasswordHash(session), ct);
                ctx.Host.Out.WriteLine($"Recovery code: {recovery.Code}");
                ctx.Host.Out.WriteLine("Keep it offline: it logs you in and turns two-step login off if you lose access to the mailbox.");
            }
        }));
        return command;
    }

    private static Command EmailDisable(CliRunner run)
    {
        var command = new Command("disable", "Turn off two-step login by e-mail");
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, session) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                var current = await client.GetTwoFactorEmailAsync(ctx.MasterPasswordHash(session), ct);
                if (current.Email.Enabled)
                {
                    await client.DisableTwoFactorEmailAsync(current.UserVerificationToken!, ct);
                }

                await TwoFactorCommands.WriteRemainingAsync(ctx, client, "Two-step login by e-mail", changed: current.Email.Enabled, ct);
            }
        }));
        return command;
    }

    private static Command KeysList(CliRunner run)
    {
        var json = new Option<bool>("--json") { Description = "Print the keys as JSON ([{\"id\", \"name\"}])" };
        var command = new Command("list", "List the registered security keys (slot and name)") { json };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, session) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                var keys = (await client.GetSecurityKeysAsync(ctx.MasterPasswordHash(session), ct)).WebAuthn.Keys;
                if (r.GetValue(json))
                {
                    ctx.Host.Out.WriteLine(new JsonArray([.. keys.Select(k => new JsonObject { ["id"] = k.Id, ["name"] = k.Name })]).ToJsonString(ItemCommands.Json));
                    return;
                }

                if (keys.Count == 0)
                {
                    ctx.Host.Out.WriteLine("No security keys. Register one in the web vault: Settings, Security, Two-step login.");
                    return;
                }

                foreach (var key in keys)
                {
                    ctx.Host.Out.WriteLine($"{key.Id}  {key.Name}");
                }
            }
        }));
        return command;
    }

    private static Command KeysRemove(CliRunner run)
    {
        var id = new Argument<int>("id") { Description = "The key's slot number (see `coffer 2fa keys list`)" };
        var command = new Command("rm", "Remove a security key") { id };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, session) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                var current = await client.GetSecurityKeysAsync(ctx.MasterPasswordHash(session), ct);
                var slot = r.GetValue(id);
                var key = current.WebAuthn.Keys.FirstOrDefault(k => k.Id == slot)
                    ?? throw new CliException($"No security key in slot {slot}. `coffer 2fa keys list` shows them.");
                var left = await client.RemoveSecurityKeyAsync(slot, current.UserVerificationToken!, ct);
                ctx.Host.Out.WriteLine($"Removed security key {slot} ({key.Name}).");
                if (left.WebAuthn.Keys.Count == 0)
                {
                    await TwoFactorCommands.WriteRemainingAsync(ctx, client, "Two-step login by security key", changed: true, ct);
                }
            }
        }));
        return command;
    }
}
