using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Files;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer send</c>, <c>send list|rm</c> and <c>coffer receive</c> (bitwarden-sharing-features.md §3): a text or a
/// file shared through a link that expires. The link's fragment holds the seed of the Send key, so the server never
/// sees the content; the owner keeps the seed wrapped under the user key. On these commands <c>--passwordenv</c> names
/// the variable holding the <b>Send</b> password; the master password then comes from COFFER_SESSION, --passwordfile or
/// the prompt.
/// </summary>
internal static partial class SendCommands
{
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(7);

    // The server refuses deletion dates more than 31 days ahead (§3.4).
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(31);

    public static Command Create(CliRunner run)
    {
        var send = new Command("send", "Share a text (TEXT) or a file (--file) through a link that expires; prints the link. `--passwordenv VAR` protects it with the password in $VAR.");
        var text = new Argument<string?>("text") { Description = "The text to share", Arity = ArgumentArity.ZeroOrOne };
        AddCreate(run, send, text);

        // `coffer send text TEXT`: the same, for a text that is also a subcommand's name (`coffer send text list`).
        var textCommand = new Command("text", "Share a text (or --file) through a link that expires; prints the link");
        var explicitText = new Argument<string?>("text") { Description = "The text to share", Arity = ArgumentArity.ZeroOrOne };
        AddCreate(run, textCommand, explicitText);

        var json = new Option<bool>("--json") { Description = "Print a JSON array of decrypted Sends, with their links" };
        var list = new Command("list", "List your Sends: id, name, type, accesses, deletion date and link, tab-separated") { json };
        list.SetAction((r, ct) => run.Async(r, ctx => ListAsync(ctx, r.GetValue(json), ct)));

        var rmTarget = new Argument<string>("send") { Description = "The Send: id, or its exact name" };
        var rm = new Command("rm", "Delete a Send (its link stops working)") { rmTarget };
        rm.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            using var userKey = UnlockForSend(ctx).UnlockUserKey(session);
            var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
            using (client)
            {
                var sends = Decrypt(await client.GetSendsAsync(ct), userKey, ctx.ServerUrl(session));
                var target = r.GetValue(rmTarget)!;
                var matches = sends.Where(s => string.Equals(s.Send.Id.ToString(), target, StringComparison.OrdinalIgnoreCase)).ToList();
                if (matches.Count == 0)
                {
                    matches = [.. sends.Where(s => string.Equals(s.Name, target, StringComparison.OrdinalIgnoreCase))];
                }

                var found = matches.Count switch
                {
                    1 => matches[0],
                    0 => throw CliException.NotFound($"No Send matches '{target}'. Run `coffer send list` to see them."),
                    _ => throw new CliException($"'{target}' names {matches.Count} Sends: {string.Join(", ", matches.Select(m => m.Send.Id))}. Use the id."),
                };
                await client.DeleteSendAsync(found.Send.Id, ct);
                ctx.Info($"Deleted Send '{found.Name}'.");
            }
        }));

        send.Subcommands.Add(textCommand);
        send.Subcommands.Add(list);
        send.Subcommands.Add(rm);
        return send;
    }

    /// <summary>A Send with its secrets opened by its owner.</summary>
    private sealed record OpenedSend(SendResponseModel Send, string Name, string? Notes, string? Text, string? FileName, string Link);

    private static void AddCreate(CliRunner run, Command command, Argument<string?> text)
    {
        var file = new Option<string?>("--file", "-f") { Description = "Share this file instead of a text" };
        var name = new Option<string?>("--name", "-n") { Description = "A name for the Send, shown to the recipient (default: the file name, or \"Text\")" };
        var notes = new Option<string?>("--notes") { Description = "Private notes, for you only" };
        var expire = new Option<string>("--expire") { Description = "How long the link works, then the Send is deleted: e.g. 1h, 12h, 7d (default), at most 31d", };
        var maxAccess = new Option<int?>("--max-access") { Description = "Stop working after this many accesses" };
        var hideEmail = new Option<bool>("--hide-email") { Description = "Do not show your e-mail address to the recipient" };
        var hidden = new Option<bool>("--hidden") { Description = "Ask the recipient's app to hide the text until revealed" };
        command.Arguments.Add(text);
        foreach (var option in new Option[] { file, name, notes, expire, maxAccess, hideEmail, hidden })
        {
            command.Options.Add(option);
        }

        command.Validators.Add(r =>
        {
            if ((r.GetValue(text) is null) == (r.GetValue(file) is null))
            {
                r.AddError("Give either TEXT or --file FILE.");
            }

            if (r.GetValue(maxAccess) is < 1)
            {
                r.AddError("--max-access is at least 1.");
            }

            if (r.GetValue(expire) is { } lifetime && ParseLifetime(lifetime) is null)
            {
                r.AddError($"--expire takes hours or days up to 31 days, such as 1h or 7d; got '{lifetime}'.");
            }
        });

        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            var session = ctx.RequireSession();
            var password = SendPassword(ctx, required: false);
            using var userKey = UnlockForSend(ctx).UnlockUserKey(session);
            if (password is not null && OpensVault(session, password))
            {
                throw CliException.Usage("That Send password is your master password: anyone with the link could attack it. Choose another.");
            }

            var now = ctx.Host.Time.GetUtcNow().UtcDateTime;
            var ends = now + (ParseLifetime(r.GetValue(expire) ?? "") ?? DefaultLifetime);
            var seed = SendCrypto.NewSeed();
            try
            {
                using var sendKey = SendCrypto.DeriveKey(seed);
                var path = r.GetValue(file);
                var request = new SendRequestModel
                {
                    Type = path is null ? 0 : 1,
                    Name = EncString.EncryptString(r.GetValue(name) ?? (path is null ? "Text" : Path.GetFileName(path)), sendKey).ToString(),
                    Notes = r.GetValue(notes) is { Length: > 0 } n ? EncString.EncryptString(n, sendKey).ToString() : null,
                    Key = SendCrypto.WrapSeed(seed, userKey),
                    MaxAccessCount = r.GetValue(maxAccess),
                    ExpirationDate = ends,
                    DeletionDate = ends,
                    Password = password is null ? null : SendCrypto.PasswordHash(password, seed),
                    AuthType = password is null ? 2 : 1,
                    HideEmail = r.GetValue(hideEmail),
                    Text = path is null ? new SendTextModel { Text = EncString.EncryptString(r.GetValue(text)!, sendKey).ToString(), Hidden = r.GetValue(hidden) } : null,
                };
                var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
                using (client)
                {
                    var created = path is null
                        ? await client.CreateSendAsync(request, ct)
                        : await CreateFileSendAsync(ctx, client, request, path, sendKey, ct);
                    ctx.Host.Out.WriteLine(SendLink.Format(ctx.ServerUrl(session), created.AccessId, seed));
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(seed);
            }
        }));
    }

    private static async Task<SendResponseModel> CreateFileSendAsync(CliContext ctx, CofferApiClient client, SendRequestModel request, string path, SymmetricKey sendKey, CancellationToken ct)
    {
        await using var plaintext = FileTransfer.OpenInput(path);
        var fileName = Path.GetFileName(path);
        await using var encrypted = await FileTransfer.EncryptAsync(ctx, plaintext, sendKey, fileName, ct);
        var slot = await client.CreateFileSendAsync(
            request with { File = new SendFileModel { FileName = EncString.EncryptString(fileName, sendKey).ToString() }, FileLength = encrypted.Length },
            ct);
        var send = slot.SendResponse;
        try
        {
            if (slot.FileUploadType != 0 || send.File?.Id is not { } fileId)
            {
                throw new CliException("The server offered no direct upload for the file (fileUploadType 0 with a file id).");
            }

            await FileTransfer.UploadAsync(ctx, encrypted, fileName, progress => client.UploadSendFileAsync(send.Id, fileId, encrypted, encrypted.Length, progress, ct));
            return send;
        }
        catch
        {
            // A failed upload deletes its Send, as the Bitwarden clients do (§1.2).
            await AttachmentCommands.RollBackAsync(() => client.DeleteSendAsync(send.Id, CancellationToken.None));
            throw;
        }
    }

    private static async Task ListAsync(CliContext ctx, bool json, CancellationToken ct)
    {
        var session = ctx.RequireSession();
        using var userKey = UnlockForSend(ctx).UnlockUserKey(session);
        var (client, _) = await ctx.ConnectAsync(session, forceRefresh: false, ct);
        using (client)
        {
            var sends = Decrypt(await client.GetSendsAsync(ct), userKey, ctx.ServerUrl(session)).OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList();
            if (json)
            {
                ctx.Host.Out.WriteLine(new JsonArray([.. sends.Select(Json)]).ToJsonString(ItemCommands.Json));
                return;
            }

            foreach (var s in sends)
            {
                var accesses = s.Send.MaxAccessCount is { } max ? $"{s.Send.AccessCount}/{max}" : s.Send.AccessCount.ToString(CultureInfo.InvariantCulture);
                ctx.Host.Out.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{s.Send.Id}\t{s.Name}\t{(s.Send.Type == 1 ? "file" : "text")}\t{accesses}\t{s.Send.DeletionDate:yyyy-MM-dd HH:mm}Z\t{s.Link}"));
            }
        }
    }

    private static List<OpenedSend> Decrypt(IEnumerable<SendResponseModel> sends, SymmetricKey userKey, Uri server) =>
        [.. sends.Select(send =>
        {
            var seed = SendCrypto.UnwrapSeed(send.Key, userKey);
            try
            {
                using var key = SendCrypto.DeriveKey(seed);
                return new OpenedSend(
                    send,
                    Decrypt(send.Name, key) ?? "",
                    Decrypt(send.Notes, key),
                    Decrypt(send.Text?.Text, key),
                    Decrypt(send.File?.FileName, key),
                    SendLink.Format(server, send.AccessId, seed));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(seed);
            }
        })];

    // bw's Send shape (`bw send list`), with the link as accessUrl and the password only as passwordSet.
    private static JsonObject Json(OpenedSend s) => new()
    {
        ["object"] = "send",
        ["id"] = s.Send.Id.ToString(),
        ["accessId"] = s.Send.AccessId,
        ["accessUrl"] = s.Link,
        ["name"] = s.Name,
        ["notes"] = s.Notes,
        ["type"] = s.Send.Type,
        ["text"] = s.Send.Type == 0 ? new JsonObject { ["text"] = s.Text, ["hidden"] = s.Send.Text?.Hidden ?? false } : null,
        ["file"] = s.Send.Type == 1 ? new JsonObject { ["id"] = s.Send.File?.Id, ["fileName"] = s.FileName, ["size"] = s.Send.File?.Size?.ToString(CultureInfo.InvariantCulture), ["sizeName"] = s.Send.File?.SizeName } : null,
        ["maxAccessCount"] = s.Send.MaxAccessCount,
        ["accessCount"] = s.Send.AccessCount,
        ["passwordSet"] = s.Send.Password is not null,
        ["disabled"] = s.Send.Disabled,
        ["hideEmail"] = s.Send.HideEmail,
        ["revisionDate"] = s.Send.RevisionDate,
        ["expirationDate"] = s.Send.ExpirationDate,
        ["deletionDate"] = s.Send.DeletionDate,
    };

    /// <summary>1h … 744h, 1d … 31d.</summary>
    internal static TimeSpan? ParseLifetime(string text)
    {
        var match = LifetimePattern().Match(text);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount < 1)
        {
            return null;
        }

        var lifetime = match.Groups[2].Value == "h" ? TimeSpan.FromHours(amount) : TimeSpan.FromDays(amount);
        return lifetime <= MaxLifetime ? lifetime : null;
    }

    /// <summary>The Send password from the variable --passwordenv names; null when the option is absent.</summary>
    private static string? SendPassword(CliContext ctx, bool required)
    {
        if (ctx.Options.PasswordEnv is not { } variable)
        {
            return required ? throw new CliException("This Send has a password; pass --passwordenv VAR with the password in $VAR.") : null;
        }

        return ctx.Host.GetEnvironment(variable) is { Length: > 0 } value ? value : throw new CliException($"Environment variable {variable} is empty or not set.");
    }

    // On Send commands --passwordenv is the Send password, so the vault unlocks without it (session key, file or prompt).
    private static CliContext UnlockForSend(CliContext ctx) => new(ctx.Host, ctx.Options with { PasswordEnv = null });

    private static bool OpensVault(Storage.SessionState session, string password)
    {
        try
        {
            using var key = UserKeys.Unlock(session.ProtectedUserKey, password, session.Email, session.Kdf.ToConfig());
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static string? Decrypt(string? value, SymmetricKey key) => string.IsNullOrEmpty(value) ? null : EncString.Parse(value).DecryptString(key);

    [GeneratedRegex("^([0-9]{1,4})([hd])$")]
    private static partial Regex LifetimePattern();
}
