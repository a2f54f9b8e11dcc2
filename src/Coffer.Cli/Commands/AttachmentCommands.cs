using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Files;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer attachment add|get|rm|list</c> (bitwarden-sharing-features.md §2): files encrypted here under their own
/// key, which is wrapped under the item key with the file name; the server stores only ciphertext.
/// </summary>
internal static class AttachmentCommands
{
    public static Command Create(CliRunner run)
    {
        var addItem = ItemArgument();
        var addFile = new Argument<string>("file") { Description = "The file to attach (its name is kept, encrypted)" };
        var add = new Command("add", "Encrypt a file and attach it to an item; prints the attachment id") { addItem, addFile };
        add.SetAction((r, ct) => run.Async(r, ctx => AddAsync(ctx, r.GetValue(addItem)!, r.GetValue(addFile)!, ct)));

        var getItem = ItemArgument();
        var getName = NameArgument();
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the file (`-` for stdout); default: its own name in the current folder, never overwriting" };
        var get = new Command("get", "Download and decrypt an attachment") { getItem, getName, output };
        get.SetAction((r, ct) => run.Async(r, ctx => GetAsync(ctx, r.GetValue(getItem)!, r.GetValue(getName)!, r.GetValue(output), ct)));

        var rmItem = ItemArgument();
        var rmName = NameArgument();
        var rm = new Command("rm", "Delete an attachment") { rmItem, rmName };
        rm.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var (cipher, item) = VaultSession.FindItem(session, keys, r.GetValue(rmItem)!, inTrash: false);
            using var itemKey = AttachmentCrypto.ItemKey(cipher, keys);
            var (attachment, name) = Find(cipher, item, itemKey, r.GetValue(rmName)!);
            var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                await client.DeleteAttachmentAsync(cipher.Id, attachment.Id, ct);
                await VaultSession.PullAsync(ctx, client, connected, ct);
            }

            ctx.Info($"Deleted attachment '{name}' from '{item.Name}'.");
        }));

        var listItem = ItemArgument();
        var list = new Command("list", "List an item's attachments: id, name and encrypted size, tab-separated") { listItem };
        list.SetAction(r => run.Sync(r, ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = ctx.UnlockUserKey(session);
            using var keys = VaultSession.Keys(session, userKey);
            var (cipher, _) = VaultSession.FindItem(session, keys, r.GetValue(listItem)!, inTrash: null);
            using var itemKey = AttachmentCrypto.ItemKey(cipher, keys);
            foreach (var (attachment, name) in Decrypted(cipher, itemKey).OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase))
            {
                ctx.Host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{attachment.Id}\t{name}\t{Size(attachment)}"));
            }
        }));

        return new Command("attachment", "Files attached to items") { add, get, rm, list };
    }

    private static async Task AddAsync(CliContext ctx, string itemName, string path, CancellationToken ct)
    {
        var session = ctx.RequireSession();
        using var userKey = ctx.UnlockUserKey(session);
        using var keys = VaultSession.Keys(session, userKey);
        var (cipher, item) = VaultSession.FindItem(session, keys, itemName, inTrash: false);
        if (!cipher.Edit)
        {
            throw new CliException($"Your access to '{item.Name}' is read-only.");
        }

        await using var plaintext = FileTransfer.OpenInput(path);
        var fileName = Path.GetFileName(path);
        using var itemKey = AttachmentCrypto.ItemKey(cipher, keys);
        using var attachment = AttachmentCrypto.Create(fileName, itemKey);
        await using var encrypted = await FileTransfer.EncryptAsync(ctx, plaintext, attachment.Key, fileName, ct);
        var (client, connected) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
        using (client)
        {
            var slot = await client.CreateAttachmentSlotAsync(
                cipher.Id,
                new AttachmentRequestModel
                {
                    Key = attachment.WrappedKey,
                    FileName = attachment.EncryptedFileName,
                    FileSize = JsonSerializer.SerializeToElement(encrypted.Length),
                    LastKnownRevisionDate = cipher.RevisionDate,
                },
                ct);
            try
            {
                if (slot.FileUploadType != 0)
                {
                    throw new CliException($"The server wants upload type {slot.FileUploadType}; only direct uploads (0) are supported.");
                }

                await FileTransfer.UploadAsync(ctx, encrypted, fileName, progress => client.UploadAttachmentAsync(cipher.Id, slot.AttachmentId, encrypted, encrypted.Length, progress, ct));
            }
            catch
            {
                // As the Bitwarden clients do (§1.2): a failed upload deletes its slot, so no empty attachment stays behind.
                await RollBackAsync(() => client.DeleteAttachmentAsync(cipher.Id, slot.AttachmentId, CancellationToken.None));
                throw;
            }

            await VaultSession.PullAsync(ctx, client, connected, ct);
            ctx.Host.Out.WriteLine(slot.AttachmentId);
        }
    }

    private static async Task GetAsync(CliContext ctx, string itemName, string attachmentName, string? output, CancellationToken ct)
    {
        var session = ctx.RequireSession();
        using var userKey = ctx.UnlockUserKey(session);
        using var keys = VaultSession.Keys(session, userKey);
        var (cipher, item) = VaultSession.FindItem(session, keys, itemName, inTrash: null);
        using var itemKey = AttachmentCrypto.ItemKey(cipher, keys);
        var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
        using (client)
        {
            await SaveAsync(ctx, client, cipher, item, itemKey, attachmentName, output, id => client.GetAttachmentDownloadAsync(cipher.Id, id, ct), ct);
        }
    }

    /// <summary>
    /// Downloads one attachment of <paramref name="cipher"/> through the URL <paramref name="downloadUrl"/> hands out
    /// (the owner's route, or the emergency access route), decrypts it and writes it to <paramref name="output"/>.
    /// </summary>
    internal static async Task SaveAsync(
        CliContext ctx,
        CofferApiClient client,
        CipherDetailsResponseModel cipher,
        VaultItem item,
        SymmetricKey itemKey,
        string attachmentName,
        string? output,
        Func<string, Task<AttachmentResponseModel>> downloadUrl,
        CancellationToken ct)
    {
        var (attachment, name) = Find(cipher, item, itemKey, attachmentName);
        using var fileKey = AttachmentCrypto.FileKey(attachment.Key, itemKey);
        var download = await downloadUrl(attachment.Id);
        var url = download.Url ?? throw new CliException("The server gave no download URL for the attachment.");
        var written = await FileTransfer.DownloadAsync(ctx, client, url, Size(attachment), fileKey, output, name, ct);
        if (written != FileTransfer.StandardOutput)
        {
            ctx.Notice($"Saved '{name}' to {written}.");
        }
    }

    /// <summary>
    /// As <c>bw get attachment</c> (§2.12): an id, else the exact decrypted name (case-insensitive), else a unique
    /// part of one; several matches are an error listing their ids.
    /// </summary>
    private static (AttachmentResponseModel Attachment, string Name) Find(CipherDetailsResponseModel cipher, VaultItem item, SymmetricKey itemKey, string nameOrId)
    {
        var all = Decrypted(cipher, itemKey);
        var matches = all.Where(a => string.Equals(a.Attachment.Id, nameOrId, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            matches = [.. all.Where(a => string.Equals(a.Name, nameOrId, StringComparison.OrdinalIgnoreCase))];
        }

        if (matches.Count == 0)
        {
            matches = [.. all.Where(a => a.Name.Contains(nameOrId, StringComparison.OrdinalIgnoreCase))];
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw CliException.NotFound($"'{item.Name}' has no attachment matching '{nameOrId}'. Run `coffer attachment list \"{item.Name}\"` to see them."),
            _ => throw new CliException($"'{nameOrId}' matches {matches.Count} attachments: {string.Join(", ", matches.Select(m => $"{m.Attachment.Id} ({m.Name})"))}. Use the id."),
        };
    }

    private static List<(AttachmentResponseModel Attachment, string Name)> Decrypted(CipherDetailsResponseModel cipher, SymmetricKey itemKey) =>
        [.. FileEntries.Attachments(cipher).Select(a => (a, AttachmentCrypto.FileName(a.FileName, itemKey)))];

    // The encrypted size, a string on the wire (§2.8); the most a download of it may bring.
    private static long Size(AttachmentResponseModel attachment) =>
        long.TryParse(attachment.Size, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : throw new CliException($"The server gave attachment {attachment.Id} the size '{attachment.Size}'.");

    internal static async Task RollBackAsync(Func<Task> undo)
    {
        try
        {
            await undo();
        }
        catch (Exception e) when (e is Client.CofferApiException or IOException or TaskCanceledException)
        {
            // The original failure is the one to report; the server's clean-up job removes what this leaves.
        }
    }

    private static Argument<string> ItemArgument() => new("item") { Description = "The item: id, exact name, or a unique part of its name" };

    private static Argument<string> NameArgument() => new("attachment") { Description = "The attachment: id, exact file name, or a unique part of it" };
}
