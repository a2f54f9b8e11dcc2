using System.CommandLine;
using Coffer.Cli.Storage;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli.Commands;

/// <summary><c>config</c>, <c>register</c>, <c>login</c>, <c>logout</c> and <c>sync</c>.</summary>
internal static class AccountCommands
{
    public static Command Config(CliRunner run)
    {
        var url = new Argument<string>("url") { Description = "Server base URL, e.g. https://vault.example.org" };
        var server = new Command("server", "Set the server URL") { url };
        server.SetAction(r => run.Sync(r, ctx =>
        {
            var uri = CliContext.ParseServer(r.GetValue(url)!);
            ctx.SaveConfig(ctx.LoadConfig() with { Server = uri.AbsoluteUri.TrimEnd('/') });
            ctx.Info($"Server set to {uri.AbsoluteUri.TrimEnd('/')}");
        }));
        return new Command("config", "Read or change settings") { server };
    }

    public static Command Register(CliRunner run)
    {
        var email = new Argument<string>("email");
        var name = new Option<string?>("--name") { Description = "Display name (max 50 characters)" };
        var hint = new Option<string?>("--hint") { Description = "Master password hint (stored in clear on the server)" };
        var invite = new Option<string?>("--invite") { Description = "Invitation token from the server's admin (invite-only servers)" };
        var command = new Command("register", "Create an account (reads the master password like every other verb)") { email, name, hint, invite };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var password = ctx.ReadMasterPassword();
            var account = NewAccount.Create(r.GetValue(email)!, password, KdfConfig.DefaultPbkdf2);
            using var client = ctx.CreateClient(ctx.ServerUrl());
            await client.RegisterAsync(account, r.GetValue(name), r.GetValue(hint), r.GetValue(invite), ct);
            ctx.Info($"Registered {account.Email}. Run `coffer login {account.Email}`.");
        }));
        return command;
    }

    public static Command Login(CliRunner run)
    {
        var email = new Argument<string>("email");
        var code = new Option<string?>("--code") { Description = "Two-step login code (authenticator app or e-mail), or the recovery code with --method 8" };
        var method = new Option<int?>("--method")
        {
            Description = "Two-step login provider, as bw: 0 authenticator app, 1 e-mail (the code is mailed when no --code is given), 8 recovery code",
        };
        var raw = new Option<bool>("--raw") { Description = "Print only the session key (for COFFER_SESSION), nothing else" };
        var command = new Command("login", "Log in, download the vault and unlock it (prints a session key, as `coffer unlock`)") { email, code, method, raw };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var typed = r.GetValue(email)!;
            var password = ctx.ReadMasterPassword();
            var server = ctx.ServerUrl();
            using var client = ctx.CreateClient(server);
            var prelogin = await client.PreloginAsync(typed, ct);
            var kdf = prelogin.KdfSettings.ToConfig();

            // BW07: the KDF is checked against the pin and the floor before the password is hashed, so a refusal sends nothing.
            var pins = AccountGuard.BeforeHashing(ctx, server, AccountEmail.Normalize(typed), kdf);
            var masterKey = MasterKeys.DeriveMasterKey(password, typed, kdf);
            var hash = MasterKeys.HashMasterPassword(masterKey, password);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(masterKey);

            // Like bw: with --method and --code the first request already carries the second factor.
            var first = r.GetValue(method) is { } chosen && r.GetValue(code) is { } early ? new TwoFactorCode(chosen, early) : null;
            var result = await client.LoginAsync(typed, hash, first, ct);
            if (result is TwoFactorRequired challenge)
            {
                var provider = r.GetValue(method) ?? ctx.ChooseTwoFactorProvider(challenge.Providers, challenge.MaskedEmail);
                var given = r.GetValue(code);
                if (given is null && provider == TwoFactorProviderType.Email)
                {
                    // As bw: ask for the mail (the server sends one code a minute at most, so a code it mailed with the
                    // challenge stays the one to type), then for the code.
                    await client.SendEmailLoginCodeAsync(typed, hash, ct);
                    ctx.Host.Error.WriteLine($"A login code was sent to {challenge.MaskedEmail ?? "your two-step login address"}.");
                }

                given ??= ctx.PromptTwoFactorCode(
                    challenge.Providers, provider == TwoFactorProviderType.Email ? "Code from the e-mail: " : "Two-step login code: ");
                result = await client.LoginAsync(typed, hash, new TwoFactorCode(provider, given), ct);
            }

            var token = result is LoginSucceeded ok ? ok.Token : throw CliException.TwoFactorRequired("The server asked for a second factor again. Pass --method and --code.");
            AccountGuard.CheckToken(kdf, token);
            var unlock = token.UserDecryptionOptions?.MasterPasswordUnlock;
            var session = new SessionState
            {
                Server = server.AbsoluteUri.TrimEnd('/'),
                Email = unlock?.Salt ?? AccountEmail.Normalize(typed),
                Kdf = unlock is { } u
                    ? new KdfSettingsModel { KdfType = u.Kdf.KdfType, Iterations = u.Kdf.Iterations, Memory = u.Kdf.Memory, Parallelism = u.Kdf.Parallelism }
                    : prelogin.KdfSettings,
                DeviceId = ctx.DeviceId(),
                AccessToken = token.AccessToken,
                RefreshToken = token.RefreshToken,
                ProtectedUserKey = unlock?.MasterKeyEncryptedUserKey ?? token.Key
                    ?? throw new CliException("The server sent no protected user key."),
            };

            using var userKey = UserKeys.Unlock(session.ProtectedUserKey, password, session.Email, session.Kdf.ToConfig());
            AccountGuard.AfterUnlock(ctx, pins, kdf, userKey);
            var (sessionKey, unlocked) = SessionKey.Protect(userKey, session.Email);
            session = session with { Unlocked = unlocked };
            ctx.SaveSession(session);
            client.AccessToken = session.AccessToken;
            session = await VaultSession.PullAsync(ctx, client, session, ct);
            if (session.Sync?.UserDecryption.UserKeyId is null)
            {
                // The key-id backfill of protocol §3.2 step 6: tell the server, then take fresh tokens and data.
                await client.SetUserKeyIdAsync(userKey.KeyId, ct);
                (var fresh, session) = await ctx.ConnectAsync(session, forceRefresh: true, ct);
                using (fresh)
                {
                    session = await VaultSession.PullAsync(ctx, fresh, session, ct);
                }
            }

            await AccountGuard.CheckServerVersionAsync(ctx, client, server, AccountEmail.Normalize(typed), ct);
            if (!r.GetValue(raw))
            {
                ctx.Info($"Logged in as {session.Email}; {session.Sync?.Ciphers.Count ?? 0} items.");
            }

            SessionCommands.PrintSessionKey(ctx, sessionKey, r.GetValue(raw));
        }));
        return command;
    }

    public static Command Logout(CliRunner run)
    {
        var command = new Command("logout", "Forget the session (tokens and cached vault)");
        command.SetAction(r => run.Sync(r, ctx =>
        {
            ctx.Directory.Delete(StateFiles.Session);
            ctx.Info("Logged out.");
        }));
        return command;
    }

    public static Command Sync(CliRunner run)
    {
        var command = new Command("sync", "Download the vault (encrypted) into the session");
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var (client, session) = await ctx.ConnectAsync(ctx.RequireSession(), forceRefresh: false, ct);
            using (client)
            {
                session = await CliProgress.SpinnerAsync(ctx, "Syncing the vault…", () => VaultSession.PullAsync(ctx, client, session, ct));
                await AccountGuard.CheckServerVersionAsync(ctx, client, new Uri(session.Server), session.Email, ct);
            }

            ctx.Info($"Synced {session.Sync?.Ciphers.Count ?? 0} items, {session.Sync?.Folders.Count ?? 0} folders.");
        }));
        return command;
    }
}
