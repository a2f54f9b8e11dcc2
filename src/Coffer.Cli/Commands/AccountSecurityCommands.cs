using System.CommandLine;
using System.Security.Cryptography;
using Coffer.Cli.Storage;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer account password|kdf|rotate-key|email|deauthorize|delete</c> (account doc §3). Each works from a fresh
/// sync, checks the master password locally before sending anything, and afterwards forgets the session: the
/// server has ended every session of the account, this one included.
/// </summary>
internal static class AccountSecurityCommands
{
    public static Command Create(CliRunner run) => new("account", "Change the master password, KDF, user key or e-mail; end sessions; delete the account")
    {
        Password(run), Kdf(run), RotateKey(run), Email(run), Deauthorize(run), Delete(run),
    };

    private static Command Password(CliRunner run)
    {
        var newPasswordEnv = new Option<string?>("--new-passwordenv") { Description = "Read the new master password from this environment variable instead of asking twice" };
        var hint = new Option<string?>("--hint") { Description = "Hint for the new password (max 50 characters; the old hint is removed)" };
        var command = new Command("password", "Change the master password; the KDF and the user key stay") { newPasswordEnv, hint };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            await WithFreshSessionAsync(ctx, async (client, session) =>
            {
                var current = ctx.ReadMasterPassword();
                var next = ReadNewPassword(ctx, r.GetValue(newPasswordEnv));
                var request = Locally(() => MasterPasswordChanges.ChangePassword(session.Email, session.Kdf.ToConfig(), session.ProtectedUserKey, current, next, r.GetValue(hint)));
                await client.ChangePasswordAsync(request, ct);
            }, ct);
            EndSession(ctx, "Master password changed. Every session has ended; log in again with the new password.");
        }));
        return command;
    }

    private static Command Kdf(CliRunner run)
    {
        var pbkdf2 = new Option<int?>("--pbkdf2") { Description = "PBKDF2-SHA256 with N iterations (600000–2000000)" };
        var argon2id = new Option<bool>("--argon2id") { Description = "Argon2id; give --iterations, --memory (MiB) and --parallelism" };
        var iterations = new Option<int?>("--iterations") { Description = "Argon2id iterations (2–10)" };
        var memory = new Option<int?>("--memory") { Description = "Argon2id memory in MiB (15–1024)" };
        var parallelism = new Option<int?>("--parallelism") { Description = "Argon2id parallelism (1–16)" };
        var command = new Command("kdf", "Change how the master key is derived from the master password") { pbkdf2, argon2id, iterations, memory, parallelism };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var kdf = (r.GetValue(pbkdf2), r.GetValue(argon2id)) switch
            {
                ({ } n, false) when r.GetValue(iterations) is null && r.GetValue(memory) is null && r.GetValue(parallelism) is null => new KdfConfig(KdfType.Pbkdf2Sha256, n),
                (null, true) => new KdfConfig(KdfType.Argon2id, r.GetValue(iterations) ?? 0, r.GetValue(memory), r.GetValue(parallelism)),
                _ => throw new CliException("Give either --pbkdf2 N, or --argon2id --iterations T --memory M --parallelism P."),
            };
            if (kdf.Validate() is { } problem)
            {
                throw new CliException(problem);
            }

            await WithFreshSessionAsync(ctx, async (client, session) =>
            {
                var password = ctx.ReadMasterPassword();
                var request = Locally(() => MasterPasswordChanges.ChangeKdf(session.Email, session.Kdf.ToConfig(), session.ProtectedUserKey, password, kdf));
                await client.ChangeKdfAsync(request, ct);

                // This device made the change, so a lower (still valid) KDF at the next login is not a downgrade attack.
                AccountGuard.LocalChange(ctx, session, pins => pins.Kdf = kdf);
            }, ct);
            EndSession(ctx, "KDF settings changed. Every session has ended; log in again.");
        }));
        return command;
    }

    private static Command RotateKey(CliRunner run)
    {
        var command = new Command("rotate-key", "Replace the user key and re-encrypt the whole vault under the new one, in one request");
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var count = 0;
            await WithFreshSessionAsync(ctx, async (client, session) =>
            {
                var data = await client.GetKeyRotationDataAsync(ct);
                if (data.TrustedDeviceKeyData.Count > 0)
                {
                    throw new CliException("The account has trusted devices (device-key unlock), which this CLI cannot re-key; nothing was changed.");
                }

                // PRF passkeys are re-keyed: the public key the new user key is wrapped to comes out of an EncString under
                // the current user key (MAC checked), so the server cannot substitute a key of its own; a replayed entry of
                // a deleted passkey only wraps to a key whose private half is under that authenticator's PRF output, which
                // the server never sees.
                IReadOnlyList<PasskeyKeyDataModel> passkeys;
                try
                {
                    passkeys = KeyRotation.ReadPasskeyKeyData(data.PasskeyKeyData);
                }
                catch (FormatException e)
                {
                    throw new CliException($"{e.Message} Nothing was changed.", e);
                }

                // No organization gets the new key (no account recovery); a pinned one with a swapped key stops it all (BW02).
                await OrganizationGuard.CheckRotationAsync(ctx, session, client, data.OrganizationPasswordResetKeyData, ct);
                var emergency = await EmergencyCommands.RotationTargetsAsync(ctx, session, client, data.EmergencyAccessKeyData, ct);
                var password = ctx.ReadMasterPassword();
                await CliProgress.SpinnerAsync(ctx, "Re-encrypting the vault under a new user key…", async () =>
                {
                    var request = Locally(() => KeyRotation.Build(session.Sync!, password, emergency, passkeys));
                    count = request.AccountData!.Ciphers!.Count;
                    await client.RotateUserAccountKeysAsync(request, ct);
                });

                // The next unlock pins the new key's id without a "rotated elsewhere" warning.
                AccountGuard.LocalChange(ctx, session, pins => pins.UserKeyId = null);
            }, ct);
            EndSession(ctx, $"User key rotated; {count} items re-encrypted. Every session has ended; log in again.");
        }));
        return command;
    }

    private static Command Email(CliRunner run)
    {
        var newEmail = new Argument<string>("new-email");
        var command = new Command("email", "Change the account's e-mail address (which is also the KDF salt)") { newEmail };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var target = AccountEmail.Normalize(r.GetValue(newEmail)!);
            await WithFreshSessionAsync(ctx, async (client, session) =>
            {
                var password = ctx.ReadMasterPassword();
                var request = Locally(() => MasterPasswordChanges.ChangeEmail(session.Email, session.Kdf.ToConfig(), session.ProtectedUserKey, password, target, token: null));
                await client.RequestEmailTokenAsync(new EmailTokenRequestModel { MasterPasswordHash = request.MasterPasswordHash, NewEmail = target }, ct);

                // Coffer mails no token yet and accepts step 2 without it (see the server's EmailChangeEndpoints).
                await client.ChangeEmailAsync(request, ct);

                // The pins are found by e-mail: carry them over, so the next login (with the new address) is still checked.
                AccountGuard.LocalChange(ctx, session, pins => ctx.SavePins(AccountGuard.WithEmail(pins, target)));
            }, ct);
            EndSession(ctx, $"E-mail changed to {target}. Every session has ended; log in again with `coffer login {target}`.");
        }));
        return command;
    }

    private static Command Deauthorize(CliRunner run)
    {
        var command = new Command("deauthorize", "End every session of the account on every device, this one included");
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            await WithFreshSessionAsync(ctx, (client, session) => client.DeauthorizeSessionsAsync(Verification(ctx, session), ct), ct);
            EndSession(ctx, "Every session has ended; log in again.");
        }));
        return command;
    }

    private static Command Delete(CliRunner run)
    {
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("delete", "Delete the account and its whole vault, for good") { yes };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var email = session.Email;
            if (!r.GetValue(yes))
            {
                var readLine = ctx.Host.ReadLineFromTerminal
                    ?? throw new CliException("Deleting the account needs confirmation; pass --yes when not at a terminal.");
                var typed = readLine($"This deletes {email} and every item in it, for good. Type the e-mail address to confirm: ");
                if (!string.Equals(typed?.Trim(), email, StringComparison.OrdinalIgnoreCase))
                {
                    throw new CliException("Not confirmed; nothing was deleted.");
                }
            }

            await WithFreshSessionAsync(ctx, (client, fresh) => client.DeleteAccountAsync(Verification(ctx, fresh), ct), ct);

            // The account is gone: its pins describe nothing any more, and a new account under the address starts fresh.
            ctx.DeletePins(ctx.ServerUrl(session), email);
            EndSession(ctx, $"Account {email} deleted.");
        }));
        return command;
    }

    /// <summary>Connects (refreshing tokens), pulls a fresh sync so the keys and KDF are current, and runs <paramref name="action"/>.</summary>
    private static async Task WithFreshSessionAsync(CliContext ctx, Func<CofferApiClient, SessionState, Task> action, CancellationToken ct)
    {
        var (client, session) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
        using (client)
        {
            session = await VaultSession.PullAsync(ctx, client, session, ct);
            await action(client, session);
        }
    }

    private static SecretVerificationRequestModel Verification(CliContext ctx, SessionState session)
    {
        var password = ctx.ReadMasterPassword();
        // Unlocking first proves the password locally, so a typo is caught here rather than as a server 400.
        using var userKey = Locally(() => UserKeys.Unlock(session.ProtectedUserKey, password, session.Email, session.Kdf.ToConfig()));
        return MasterPasswordChanges.Verification(session.Email, session.Kdf.ToConfig(), password);
    }

    private static T Locally<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (CryptographicException e) when (e.Message == EncStringCrypto.NotDecryptable)
        {
            // Any other refusal (a passkey's key set, an old attachment) keeps its own message.
            throw new CliException("Invalid master password.", e);
        }
    }

    /// <summary>The new password from <paramref name="variable"/>, else typed twice at the terminal.</summary>
    internal static string ReadNewPassword(CliContext ctx, string? variable)
    {
        if (variable is not null)
        {
            return ctx.Host.GetEnvironment(variable) is { Length: > 0 } value
                ? value
                : throw new CliException($"Environment variable {variable} is empty or not set.");
        }

        var read = ctx.Host.ReadSecretFromTerminal
            ?? throw new CliException("No terminal to ask for the new master password; pass --new-passwordenv VAR.");
        ctx.Host.Error.WriteLine("Enter the NEW master password:");
        var first = read();
        ctx.Host.Error.WriteLine("Enter the NEW master password again:");
        return string.IsNullOrEmpty(first) ? throw new CliException("No new master password given.")
            : first == read() ? first
            : throw new CliException("The two new passwords differ; nothing was changed.");
    }

    private static void EndSession(CliContext ctx, string message)
    {
        ctx.Directory.Delete(StateFiles.Session);
        ctx.Host.Out.WriteLine(message);
    }
}
