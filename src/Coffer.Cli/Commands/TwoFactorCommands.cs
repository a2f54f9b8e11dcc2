using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using QRCoder;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer 2fa status|enable|disable|recovery-code</c>: two-step login with an authenticator app, through the
/// same calls the web vault makes (protocol account doc §2.2–§2.4); <c>coffer 2fa email enable|disable</c> (e-mailed
/// codes) and <c>coffer 2fa keys list|rm</c> (security keys, which only a browser can register) in
/// <see cref="TwoFactorProviderCommands"/>. Every change asks for the master password.
/// </summary>
internal static class TwoFactorCommands
{
    /// <summary>The issuer name authenticator apps show next to the account.</summary>
    public const string Issuer = "Coffer";

    public static Command Create(CliRunner run) => new("2fa", "Two-step login: authenticator app, e-mail codes, security keys")
    {
        Status(run),
        Enable(run),
        Disable(run),
        RecoveryCode(run),
        TwoFactorProviderCommands.Email(run),
        TwoFactorProviderCommands.Keys(run),
    };

    /// <summary>How the status line names each provider.</summary>
    public static string ProviderName(int type) => type switch
    {
        TwoFactorProviderType.Authenticator => "authenticator app",
        TwoFactorProviderType.Email => "e-mail",
        TwoFactorProviderType.WebAuthn => "security keys",
        _ => $"provider {type}",
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
                var enabled = providers.Data.Where(p => p.Enabled).Select(p => p.Type).Order().ToList();
                var on = enabled.Count > 0;
                if (r.GetValue(json))
                {
                    ctx.Host.Out.WriteLine(new JsonObject
                    {
                        ["enabled"] = on,
                        ["providers"] = JsonSerializer.SerializeToNode(providers.Data, ItemCommands.Json),
                    }.ToJsonString(ItemCommands.Json));
                    return;
                }

                ctx.Host.Out.WriteLine(on ? $"Two-step login: on ({string.Join(", ", enabled.Select(ProviderName))})" : "Two-step login: off");
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
        var command = new Command("disable", "Turn off two-step login with the authenticator app");
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, session) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                var current = await client.GetAuthenticatorAsync(ctx.MasterPasswordHash(session), ct);
                if (current.Authenticator.Enabled)
                {
                    await client.DisableAuthenticatorAsync(current.Authenticator.Key, current.UserVerificationToken!, ct);
                }

                await WriteRemainingAsync(ctx, client, "The authenticator app", changed: current.Authenticator.Enabled, ct);
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

    /// <summary>
    /// After turning <paramref name="provider"/> off (<paramref name="changed"/>: it was on): "Two-step login is off."
    /// (or "already off") when no provider is left, else which ones still guard the account.
    /// </summary>
    public static async Task WriteRemainingAsync(CliContext ctx, Coffer.Client.CofferApiClient client, string provider, bool changed, CancellationToken ct)
    {
        var left = (await client.GetTwoFactorProvidersAsync(ct)).Data.Where(p => p.Enabled).Select(p => p.Type).Order().ToList();
        if (left.Count == 0)
        {
            ctx.Host.Out.WriteLine(changed ? "Two-step login is off." : "Two-step login is already off.");
            return;
        }

        ctx.Host.Out.WriteLine($"{provider} {(changed ? "is off" : "was not on")}; two-step login stays on ({string.Join(", ", left.Select(ProviderName))}).");
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
