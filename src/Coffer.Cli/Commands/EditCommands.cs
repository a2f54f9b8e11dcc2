using System.CommandLine;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary><c>add</c>, <c>edit</c>, <c>rm</c> and <c>restore</c>: encrypt locally, write to the server, re-sync.</summary>
internal static class EditCommands
{
    public static Command Add(CliRunner run)
    {
        var add = new Command("add", "Add an item");
        foreach (var (verb, type, description) in new[]
        {
            ("login", CipherType.Login, "Add a login"),
            ("note", CipherType.SecureNote, "Add a secure note"),
            ("card", CipherType.Card, "Add a payment card"),
            ("identity", CipherType.Identity, "Add an identity (name, address, documents)"),
        })
        {
            var command = new Command(verb, description);
            var o = new ItemOptions();
            o.Name.Required = true;
            o.AddTo(command, type);
            var org = new Option<string?>("--org") { Description = "Add it to this organization (name or id) instead of your own vault" };
            var collections = new Option<string[]>("--collection") { Description = "Collection of --org to put it in (name or id); repeat for several" };
            command.Options.Add(org);
            command.Options.Add(collections);
            command.Validators.Add(r =>
            {
                if (r.GetValue(collections) is { Length: > 0 } && r.GetValue(org) is null)
                {
                    r.AddError("--collection needs --org.");
                }

                if (r.GetValue(org) is not null && r.GetValue(o.Folder) is { Length: > 0 })
                {
                    r.AddError("--folder is personal and cannot be set on an organization item.");
                }
            });
            command.SetAction((r, ct) => run.Async(r, async ctx =>
            {
                var session = ctx.RequireSession();
                using var userKey = ctx.UnlockUserKey(session);
                using var keys = VaultSession.Keys(session, userKey);
                var item = o.Apply(
                    new VaultItem { Type = type, Name = r.GetValue(o.Name)! },
                    r,
                    folder => FolderId(folder, session, userKey),
                    ctx.Host.Time.GetUtcNow().UtcDateTime);
                var organization = r.GetValue(org) is { } orgName ? OrgSession.FindOrganization(session, orgName) : null;
                var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
                using (client)
                {
                    CipherDetailsResponseModel created;
                    CipherRequestModel sent;
                    if (organization is null)
                    {
                        sent = VaultCrypto.Encrypt(item, userKey);
                        created = await client.CreateCipherAsync(sent, ct);
                    }
                    else
                    {
                        var orgKey = keys.Organization(organization.Id);
                        var known = await OrgSession.CollectionsAsync(client, organization.Id, orgKey, ct);
                        var collectionIds = (r.GetValue(collections) ?? []).Select(c => OrgSession.FindCollection(known, c).Id).Distinct().ToList();
                        sent = VaultCrypto.Encrypt(item, orgKey);
                        sent.OrganizationId = organization.Id.ToString();

                        // bw's routes (bitwarden-organizations.md §6.1): with collections /ciphers/create, without them /ciphers.
                        created = collectionIds.Count > 0
                            ? await client.CreateOrganizationCipherAsync(sent, collectionIds, ct)
                            : await client.CreateCipherAsync(sent, ct);
                    }

                    VaultSession.RecordWrite(ctx, connected, sent, created);
                    await VaultSession.PullAsync(ctx, client, connected, ct);
                    ctx.Host.Out.WriteLine(created.Id);
                }
            }));
            add.Subcommands.Add(command);
        }

        return add;
    }

    public static Command Edit(CliRunner run)
    {
        var target = new Argument<string>("name-or-id");
        var o = new ItemOptions();
        var command = new Command("edit", "Change an item; options not given stay as they are, an empty value removes a field") { target };
        o.AddTo(command, type: null);
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var (cipher, item) = VaultSession.FindItem(session, keys, r.GetValue(target)!, inTrash: false);
            if (!cipher.Edit)
            {
                throw new CliException($"You have read-only access to '{item.Name}'.");
            }

            if (!cipher.ViewPassword)
            {
                throw new CliException($"Your access to '{item.Name}' hides its password, so coffer cannot re-encrypt it; ask for edit access.");
            }

            var edited = o.Apply(item, r, folder => FolderId(folder, session, userKey), ctx.Host.Time.GetUtcNow().UtcDateTime);

            // A legacy item (no key of its own) is re-keyed by this edit (malicious-server.md BW05).
            CipherRequestModel sent;
            try
            {
                sent = VaultCrypto.Encrypt(edited, keys.For(cipher.OrganizationId), cipher);
            }
            catch (InvalidOperationException e)
            {
                throw new CliException(e.Message, e);
            }

            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var echo = await client.UpdateCipherAsync(cipher.Id, sent, ct);
                VaultSession.RecordWrite(ctx, connected, sent, echo);
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
            using var keys = VaultSession.Keys(session, userKey);
            var name = r.GetValue(target)!;
            var isPermanent = r.GetValue(permanent);

            // A permanent delete may also target an item already in the trash.
            var (cipher, item) = VaultSession.FindItem(session, keys, name, inTrash: isPermanent ? null : false);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                if (isPermanent)
                {
                    await client.DeleteCipherPermanentlyAsync(cipher.Id, ct);
                    VaultSession.RecordDelete(ctx, connected, cipher.Id);
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
            using var keys = VaultSession.Keys(session, userKey);
            var (cipher, item) = VaultSession.FindItem(session, keys, r.GetValue(target)!, inTrash: true);
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

    private static Guid? FolderId(string? nameOrId, Storage.SessionState session, SymmetricKey userKey) =>
        string.IsNullOrEmpty(nameOrId) ? null : VaultSession.FindFolder(VaultSession.Folders(session, userKey), nameOrId).Id;
}
