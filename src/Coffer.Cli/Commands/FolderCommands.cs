using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Client.Vault;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer folder list|add|rename|rm</c>.</summary>
internal static class FolderCommands
{
    public static Command Create(CliRunner run)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array of folders, in bw's folder shape" };
        var list = new Command("list", "List folders: id and name, tab-separated") { json };
        list.SetAction(r => run.Sync(r, ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var folders = VaultSession.Folders(session, userKey).OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase).ToList();
            if (r.GetValue(json))
            {
                ctx.Host.Out.WriteLine(new JsonArray([.. folders.Select(BwItemJson.Folder)]).ToJsonString(ItemCommands.Json));
                return;
            }

            foreach (var folder in folders)
            {
                ctx.Host.Out.WriteLine($"{folder.Id}\t{folder.Name}");
            }
        }));

        var addName = new Argument<string>("name");
        var add = new Command("add", "Create a folder") { addName };
        add.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var created = await client.CreateFolderAsync(VaultCrypto.EncryptName(r.GetValue(addName)!, userKey), ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
                ctx.Host.Out.WriteLine(created.Id);
            }
        }));

        var oldName = new Argument<string>("old");
        var newName = new Argument<string>("new");
        var rename = new Command("rename", "Rename a folder") { oldName, newName };
        rename.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var folder = VaultSession.FindFolder(VaultSession.Folders(session, userKey), r.GetValue(oldName)!);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                await client.UpdateFolderAsync(folder.Id, VaultCrypto.EncryptName(r.GetValue(newName)!, userKey), ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
            }

            ctx.Host.Out.WriteLine(folder.Id);
        }));

        var rmName = new Argument<string>("name");
        var rm = new Command("rm", "Delete a folder; its items stay, without a folder") { rmName };
        rm.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var folder = VaultSession.FindFolder(VaultSession.Folders(session, userKey), r.GetValue(rmName)!);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                await client.DeleteFolderAsync(folder.Id, ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
            }

            ctx.Host.Out.WriteLine($"Deleted folder '{folder.Name}'.");
        }));

        return new Command("folder", "Manage folders") { list, add, rename, rm };
    }
}
