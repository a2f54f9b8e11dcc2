using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Cli.Storage;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli.Commands;

/// <summary><c>list</c> and <c>get</c>: read the cached vault, decrypting in memory; no network.</summary>
internal static class ItemCommands
{
    internal static readonly JsonSerializerOptions Json = new(CofferJson.Options) { WriteIndented = true };

    public static Command List(CliRunner run)
    {
        var search = new Option<string?>("--search") { Description = "Only items whose name, username, URI or notes contain TEXT" };
        var folder = new Option<string?>("--folder") { Description = "Only items in this folder (name or id); `none` for items without a folder" };
        var url = new Option<string?>("--url") { Description = "Only logins with a URI that matches URL by its match rule (default: same base domain)" };
        var favorite = new Option<bool>("--favorite") { Description = "Only favorites" };
        var trash = new Option<bool>("--trash") { Description = "List the trash instead" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of decrypted items, in bw's item shape" };
        var org = new Option<string?>("--org") { Description = "Only items of this organization (name or id)" };
        var collection = new Option<string?>("--collection") { Description = "Only items in this collection of --org (name or id)" };
        var command = new Command("list", "List items: id, name and username, tab-separated; filters combine with AND")
        {
            search, folder, url, favorite, trash, json, org, collection,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(collection) is not null && r.GetValue(org) is null)
            {
                r.AddError("--collection needs --org.");
            }
        });
        command.SetAction(r => run.Sync(r, ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var orgId = r.GetValue(org) is { } orgName ? OrgSession.FindOrganization(session, orgName).Id : (Guid?)null;
            var collectionId = r.GetValue(collection) is { } collectionName
                ? OrgSession.FindCollection(OrgSession.SyncedCollections(session, keys, orgId!.Value), collectionName).Id
                : (Guid?)null;
            var folderFilter = r.GetValue(folder);
            var noFolder = folderFilter is "none" or "null";
            var folderId = folderFilter is not null && !noFolder
                ? VaultSession.FindFolder(VaultSession.Folders(session, userKey), folderFilter).Id
                : (Guid?)null;
            var text = r.GetValue(search);
            var page = r.GetValue(url);
            var items = VaultSession.Decrypted(session, keys)
                .Select(c => c.Item)
                .Where(i => (i.DeletedDate is not null) == r.GetValue(trash)
                    && (folderFilter is null || i.FolderId == folderId)
                    && (!r.GetValue(favorite) || i.Favorite)
                    && (orgId is null || i.OrganizationId == orgId)
                    && (collectionId is null || i.CollectionIds.Contains(collectionId.Value)))
                .Where(i => (text is null || Matches(i, text)) && (page is null || MatchesUrl(i, page)))
                .OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
            foreach (var item in items.Where(i => i.RejectedUris > 0))
            {
                WarnRejectedUris(ctx, item);
            }

            if (r.GetValue(json))
            {
                ctx.Host.Out.WriteLine(new JsonArray([.. items.Select(BwItemJson.Item)]).ToJsonString(Json));
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
        var what = new Argument<string>("what") { Description = "item, password, username, notes, uri, totp, or fingerprint (with `me`)" };
        what.AcceptOnlyFromAmong("item", "password", "username", "notes", "uri", "totp", "fingerprint");
        var target = new Argument<string>("name-or-id");
        var json = new Option<bool>("--json") { Description = "Print JSON: the item, or {\"<what>\": value} (totp: code, secondsLeft, period)" };
        var command = new Command("get", "Print one item (JSON) or one of its values; `get fingerprint me` prints your fingerprint phrase") { what, target, json };
        command.SetAction(r => run.Sync(r, ctx =>
        {
            var session = ctx.RequireSession();
            var kind = r.GetValue(what)!;
            using var userKey = ctx.UnlockUserKey(session);
            if (kind == "fingerprint")
            {
                ctx.Host.Out.WriteLine(OwnFingerprint(session, userKey, r.GetValue(target)!));
                return;
            }

            using var keys = VaultSession.Keys(session, userKey);
            var (_, item) = VaultSession.FindItem(session, keys, r.GetValue(target)!, inTrash: false);
            if (item.RejectedUris > 0)
            {
                WarnRejectedUris(ctx, item);
            }

            if (kind == "item")
            {
                ctx.Host.Out.WriteLine(BwItemJson.Item(item).ToJsonString(Json));
                return;
            }

            if (kind == "totp")
            {
                var totp = item.Login?.Totp ?? throw CliException.NotFound($"'{item.Name}' has no TOTP secret.");
                var code = ItemTotp.Current(totp, ctx.Host.Time.GetUtcNow());
                if (r.GetValue(json))
                {
                    ctx.Host.Out.WriteLine(new JsonObject { ["code"] = code.Code, ["secondsLeft"] = code.SecondsLeft, ["period"] = code.Period }.ToJsonString(Json));
                    return;
                }

                // The code alone on stdout, as bw prints it, so $(coffer get totp X) captures only the code.
                ctx.Host.Out.WriteLine(code.Code);
                ctx.Host.Error.WriteLine($"Valid for {code.SecondsLeft} more seconds.");
                return;
            }

            var value = kind switch
            {
                "password" when !item.ViewPassword => throw new CliException($"Your access to '{item.Name}' hides its password."),
                "password" => item.Login?.Password,
                "username" => item.Login?.Username ?? item.Identity?.Username,
                "uri" => item.Login?.Uris is [var first, ..] ? first : null,
                _ => item.Notes,
            } ?? throw CliException.NotFound($"'{item.Name}' has no {kind}.");
            ctx.Host.Out.WriteLine(r.GetValue(json) ? new JsonObject { [kind] = value }.ToJsonString(Json) : value);
        }));
        return command;
    }

    // As bw get fingerprint me: the phrase an organization admin compares before confirming you (malicious-server.md §2.3).
    // The public key comes from our own decrypted private key, not from what the server says it is.
    private static string OwnFingerprint(SessionState session, SymmetricKey userKey, string target)
    {
        if (!string.Equals(target, "me", StringComparison.OrdinalIgnoreCase))
        {
            throw CliException.Usage("`coffer get fingerprint` takes `me`; a member's phrase is shown by `coffer org confirm ORG EMAIL`.");
        }

        var profile = session.Sync?.Profile ?? throw new CliException("No sync yet. Run `coffer sync`.");
        using var privateKey = AccountKeyPair.DecryptPrivateKey(EncString.Parse(profile.PrivateKey), userKey);
        return FingerprintPhrase.Compute(profile.Id.ToString(), privateKey.ExportSubjectPublicKeyInfo());
    }

    // BW06: a URI whose uriChecksum is missing or wrong was changed by the server; it is left out, never opened.
    private static void WarnRejectedUris(CliContext ctx, VaultItem item) =>
        ctx.Host.Error.WriteLine($"coffer: warning (uri-checksum): item {item.Id}: {item.RejectedUris} URI(s) failed their checksum (changed by the server) and are left out.");

    private static bool Matches(VaultItem item, string text) =>
        item.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (item.Login?.Username?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || (item.Login?.Uris.Any(u => u.Contains(text, StringComparison.OrdinalIgnoreCase)) ?? false)
        || (item.Notes?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || item.Id.ToString() == text;

    private static bool MatchesUrl(VaultItem item, string url) =>
        item.Login is { } login
        && login.Uris.Any(u => UriMatcher.Matches(u, login.Matches.TryGetValue(u, out var m) ? m : null, url));
}
