using System.CommandLine;
using Coffer.Client.Crypto;
using Coffer.Client.Generators;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary><c>add</c>, <c>edit</c>, <c>rm</c> and <c>restore</c>: encrypt locally, write to the server, re-sync.</summary>
internal static class EditCommands
{
    private sealed class ItemOptions
    {
        public Option<string?> Name { get; } = new("--name") { Description = "Item name" };
        public Option<string?> Username { get; } = new("--username");
        public Option<string?> Password { get; } = new("--password") { Description = "Password (visible in process lists; prefer --generate)" };
        public Option<bool> Generate { get; } = new("--generate") { Description = "Use a new random 20-character password" };
        public Option<string[]> Uri { get; } = new("--uri") { Description = "Website; repeat for several", AllowMultipleArgumentsPerToken = false };
        public Option<string?> Notes { get; } = new("--notes");
        public Option<string?> Folder { get; } = new("--folder") { Description = "Folder name or id; \"\" for none" };

        public void AddTo(Command command, bool login)
        {
            command.Options.Add(Name);
            command.Options.Add(Notes);
            command.Options.Add(Folder);
            if (login)
            {
                command.Options.Add(Username);
                command.Options.Add(Password);
                command.Options.Add(Generate);
                command.Options.Add(Uri);
            }

            command.Validators.Add(r =>
            {
                if (r.GetValue(Password) is not null && r.GetValue(Generate))
                {
                    r.AddError("--password and --generate cannot be used together.");
                }
            });
        }

        public string? NewPassword(ParseResult r) =>
            r.GetValue(Generate) ? PasswordGenerator.Generate(new PasswordOptions()).Value : r.GetValue(Password);
    }

    public static Command Add(CliRunner run)
    {
        var login = new Command("login", "Add a login");
        var note = new Command("note", "Add a secure note");
        foreach (var (command, type) in new[] { (login, CipherType.Login), (note, CipherType.SecureNote) })
        {
            var o = new ItemOptions();
            o.Name.Required = true;
            o.AddTo(command, type == CipherType.Login);
            command.SetAction((r, ct) => run.Async(r, async ctx =>
            {
                var session = ctx.RequireSession();
                using var userKey = ctx.UnlockUserKey(session);
                var item = new VaultItem
                {
                    Type = type,
                    Name = r.GetValue(o.Name)!,
                    Notes = r.GetValue(o.Notes),
                    FolderId = FolderId(r.GetValue(o.Folder), session, userKey),
                    Login = type == CipherType.Login ? new LoginView
                    {
                        Username = r.GetValue(o.Username),
                        Password = o.NewPassword(r),
                        Uris = r.GetValue(o.Uri) ?? [],
                    } : null,
                };
                var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
                using (client)
                {
                    var created = await client.CreateCipherAsync(VaultCrypto.Encrypt(item, userKey), ct);
                    await VaultSession.PullAsync(ctx, client, connected, ct);
                    ctx.Host.Out.WriteLine(created.Id);
                }
            }));
        }

        return new Command("add", "Add an item") { login, note };
    }

    public static Command Edit(CliRunner run)
    {
        var target = new Argument<string>("name-or-id");
        var o = new ItemOptions();
        var command = new Command("edit", "Change an item; options not given stay as they are") { target };
        o.AddTo(command, login: true);
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var (cipher, item) = VaultSession.FindItem(session, userKey, r.GetValue(target)!, inTrash: false);
            var now = ctx.Host.Time.GetUtcNow().UtcDateTime;
            var edited = item with
            {
                Name = r.GetValue(o.Name) ?? item.Name,
                Notes = r.GetValue(o.Notes) ?? item.Notes,
                FolderId = r.GetValue(o.Folder) is { } folder ? FolderId(folder, session, userKey) : item.FolderId,
            };
            if (item.Type == CipherType.Login)
            {
                edited = WithLoginChanges(edited, r, o, now);
            }
            else if (r.GetValue(o.Username) is not null || o.NewPassword(r) is not null || r.GetValue(o.Uri) is { Length: > 0 })
            {
                throw new CliException($"'{item.Name}' is not a login; only --name, --notes and --folder apply.");
            }

            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                await client.UpdateCipherAsync(cipher.Id, VaultCrypto.Encrypt(edited, userKey, cipher), ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
                ctx.Host.Out.WriteLine(cipher.Id);
            }
        }));
        return command;
    }

    public static Command Remove(CliRunner run)
    {
        var target = new Argument<string>("name-or-id");
        var permanent = new Option<bool>("--permanent") { Description = "Delete for good instead of moving to the trash" };
        var command = new Command("rm", "Move an item to the trash") { target, permanent };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var name = r.GetValue(target)!;
            var isPermanent = r.GetValue(permanent);

            // A permanent delete may also target an item already in the trash.
            var (cipher, item) = VaultSession.FindItem(session, userKey, name, inTrash: isPermanent ? null : false);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                if (isPermanent)
                {
                    await client.DeleteCipherPermanentlyAsync(cipher.Id, ct);
                }
                else
                {
                    await client.SoftDeleteCipherAsync(cipher.Id, ct);
                }

                await VaultSession.PullAsync(ctx, client, connected, ct);
            }

            ctx.Host.Out.WriteLine(isPermanent ? $"Deleted '{item.Name}' permanently." : $"Moved '{item.Name}' to the trash.");
        }));
        return command;
    }

    public static Command Restore(CliRunner run)
    {
        var target = new Argument<string>("name-or-id");
        var command = new Command("restore", "Bring an item back from the trash") { target };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var (cipher, item) = VaultSession.FindItem(session, userKey, r.GetValue(target)!, inTrash: true);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                await client.RestoreCipherAsync(cipher.Id, ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
            }

            ctx.Host.Out.WriteLine($"Restored '{item.Name}'.");
        }));
        return command;
    }

    /// <summary>A changed password goes to the item's history first, as the Bitwarden clients do on save.</summary>
    private static VaultItem WithLoginChanges(VaultItem item, ParseResult r, ItemOptions o, DateTime now)
    {
        var login = item.Login ?? new LoginView();
        var history = item.PasswordHistory;
        if (o.NewPassword(r) is { } password && password != login.Password)
        {
            if (login.Password is { Length: > 0 } old)
            {
                history = [new PasswordHistoryView(old, now), .. history.Take(4)];
            }

            login = login with { Password = password, PasswordRevisionDate = now };
        }

        login = login with
        {
            Username = r.GetValue(o.Username) ?? login.Username,
            Uris = r.GetValue(o.Uri) is { Length: > 0 } uris ? uris : login.Uris,
        };
        return item with { Login = login, PasswordHistory = history };
    }

    private static Guid? FolderId(string? nameOrId, Storage.SessionState session, SymmetricKey userKey) =>
        string.IsNullOrEmpty(nameOrId) ? null : VaultSession.FindFolder(VaultSession.Folders(session, userKey), nameOrId).Id;
}
