using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using QRCoder;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer 2fa status|enable|disable|recovery-code</c>: two-step login with an authenticator app, through the
/// same calls the web vault makes (protocol account doc §2.2–§2.4). Every change asks for the master password.
/// </summary>
internal static class TwoFactorCommands
{
    /// <summary>The issuer name authenticator apps show next to the account.</summary>
    public const string Issuer = "Coffer";

    public static Command Create(CliRunner run) => new("2fa", "Two-step login with an authenticator app")
    {
        Status(run),
        Enable(run),
        Disable(run),
        RecoveryCode(run),
    };

    private static Command Status(CliRunner run)
    {
        var json = new Option<bool>("--json") { Description = "Print {\"enabled\", \"providers\"} as JSON (the server's provider objects)" };
        var command = new Command("status", "Show whether two-step login is on") { json };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, _) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                var providers = await client.GetTwoFactorProvidersAsync(ct);
                var on = providers.Data.Any(p => p.Enabled && p.Type == TwoFactorProviderType.Authenticator);
                if (r.GetValue(json))
                {
                    ctx.Host.Out.WriteLine(new JsonObject
                    {
                        ["enabled"] = on,
                        ["providers"] = JsonSerializer.SerializeToNode(providers.Data, ItemCommands.Json),
                    }.ToJsonString(ItemCommands.Json));
                    return;
                }

                ctx.Host.Out.WriteLine(on ? "Two-step login: on (authenticator app)" : "Two-step login: off");
            }
        }));
        return command;
    }

    private static Command Enable(CliRunner run)
    {
        var code = new Option<string?>("--code") { Description = "The app's current 6-digit code (asked for at the terminal otherwise)" };
        var secret = new Option<string?>("--secret")
        {
            Description = "Use this Base32 secret (20 bytes) instead of a fresh one from the server, e.g. to keep an existing app entry",
        };
        var command = new Command("enable", "Turn on two-step login: shows a QR code for your authenticator app, then asks for a code") { code, secret };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, session) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                var hash = ctx.MasterPasswordHash(session);
                UpdateTwoFactorAuthenticatorRequestModel request;
                if (r.GetValue(secret) is { } chosen)
                {
                    // A key of our choosing has no server-minted token: prove it with the password (the legacy body).
                    if (!Base32.TryDecode(chosen, out var bytes) || bytes.Length != Totp.SecretBytes)
                    {
                        throw new CliException("--secret must be Base32 (RFC 4648) of exactly 20 bytes: 32 characters A-Z, 2-7.");
                    }

                    request = new() { Key = Base32.Encode(bytes), MasterPasswordHash = hash };
                }
                else
                {
                    var offered = await client.GetAuthenticatorAsync(hash, ct);
                    if (offered.Authenticator.Enabled)
                    {
                        throw new CliException("Two-step login is already on. Run `coffer 2fa disable` first to change the key.");
                    }

                    request = new() { Key = offered.Authenticator.Key, UserVerificationToken = offered.UserVerificationToken };
                }

                var uri = Totp.OtpAuthUri(Issuer, session.Email, request.Key!);
                ctx.Host.Out.WriteLine("Scan this QR code with your authenticator app, or enter the key by hand.");
                ctx.Host.Out.WriteLine(QrCode(uri));
                ctx.Host.Out.WriteLine(uri);
                ctx.Host.Out.WriteLine($"Key: {request.Key}");
                var given = r.GetValue(code) ?? ctx.Host.ReadLineFromTerminal?.Invoke("Code from the app: ")?.Trim()
                    ?? throw new CliException("Code is required: pass --code CODE with the app's current code.");

                await client.EnableAuthenticatorAsync(request with { Token = given }, ct);
                var recovery = await client.GetRecoveryCodeAsync(hash, ct);
                ctx.Host.Out.WriteLine("Two-step login is on.");
                ctx.Host.Out.WriteLine($"Recovery code: {recovery.Code}");
                ctx.Host.Out.WriteLine("Keep it offline: it logs you in and turns two-step login off if you lose the app.");
            }
        }));
        return command;
    }

    private static Command Disable(CliRunner run)
    {
        var command = new Command("disable", "Turn off two-step login");
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, session) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                var current = await client.GetAuthenticatorAsync(ctx.MasterPasswordHash(session), ct);
                if (!current.Authenticator.Enabled)
                {
                    ctx.Host.Out.WriteLine("Two-step login is already off.");
                    return;
                }

                await client.DisableAuthenticatorAsync(current.Authenticator.Key, current.UserVerificationToken!, ct);
                ctx.Host.Out.WriteLine("Two-step login is off.");
            }
        }));
        return command;
    }

    private static Command RecoveryCode(CliRunner run)
    {
        var command = new Command("recovery-code", "Show a new recovery code (the previous one stops working)");
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, session) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                var recovery = await client.GetRecoveryCodeAsync(ctx.MasterPasswordHash(session), ct);
                ctx.Host.Out.WriteLine(recovery.Code ?? throw new CliException("Two-step login is off, so there is no recovery code."));
            }
        }));
        return command;
    }

    /// <summary>The QR code in half-block characters: two modules per character cell, so it fits an 80-column terminal.</summary>
    private static string QrCode(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var ascii = new AsciiQRCode(data);
        return ascii.GetGraphicSmall();
    }
}
