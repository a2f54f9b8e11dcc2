using System.CommandLine;
using System.Text.Json;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary><c>list</c> and <c>get</c>: read the cached vault, decrypting in memory; no network.</summary>
internal static class ItemCommands
{
    internal static readonly JsonSerializerOptions Json = new(CofferJson.Options) { WriteIndented = true };

    public static Command List(CliRunner run)
    {
        var search = new Option<string?>("--search") { Description = "Only items whose name, username, URI or notes contain TEXT" };
        var folder = new Option<string?>("--folder") { Description = "Only items in this folder (name or id)" };
        var trash = new Option<bool>("--trash") { Description = "List the trash instead" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of decrypted items" };
        var command = new Command("list", "List items: id, name and username, tab-separated") { search, folder, trash, json };
        command.SetAction(r => run.Sync(r, ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var folderId = r.GetValue(folder) is { } f ? VaultSession.FindFolder(VaultSession.Folders(session, userKey), f).Id : (Guid?)null;
            var text = r.GetValue(search);
            var items = VaultSession.Ciphers(session)
                .Where(c => (c.DeletedDate is not null) == r.GetValue(trash) && (folderId is null || c.FolderId == folderId))
                .Select(c => VaultCrypto.Decrypt(c, userKey))
                .Where(i => text is null || Matches(i, text))
                .OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
            if (r.GetValue(json))
            {
                ctx.Host.Out.WriteLine(JsonSerializer.Serialize(items, Json));
                return;
            }

            foreach (var item in items)
            {
                ctx.Host.Out.WriteLine($"{item.Id}\t{item.Name}\t{item.Login?.Username}");
            }
        }));
        return command;
    }

    public static Command Get(CliRunner run)
    {
        var what = new Argument<string>("what") { Description = "item, password, username or notes" };
        what.AcceptOnlyFromAmong("item", "password", "username", "notes");
        var target = new Argument<string>("name-or-id");
        var command = new Command("get", "Print one item (JSON) or one of its secrets") { what, target };
        command.SetAction(r => run.Sync(r, ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            var (_, item) = VaultSession.FindItem(session, userKey, r.GetValue(target)!, inTrash: false);
            var output = r.GetValue(what) switch
            {
                "item" => JsonSerializer.Serialize(item, Json),
                "password" => item.Login?.Password ?? throw new CliException($"'{item.Name}' has no password."),
                "username" => item.Login?.Username ?? throw new CliException($"'{item.Name}' has no username."),
                _ => item.Notes ?? throw new CliException($"'{item.Name}' has no notes."),
            };
            ctx.Host.Out.WriteLine(output);
        }));
        return command;
    }

    private static bool Matches(VaultItem item, string text) =>
        item.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (item.Login?.Username?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || (item.Login?.Uris.Any(u => u.Contains(text, StringComparison.OrdinalIgnoreCase)) ?? false)
        || (item.Notes?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || item.Id.ToString() == text;
}
