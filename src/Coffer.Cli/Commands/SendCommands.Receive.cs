using System.CommandLine;
using System.Security.Cryptography;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Files;

namespace Coffer.Cli.Commands;

internal static partial class SendCommands
{
    /// <summary>
    /// <c>coffer receive URL</c>: no account needed. The flow of current clients (§3.8): a <c>send_access</c> token from
    /// the link's server (again with the password hash when the Send asks for one), the encrypted Send, then for a file
    /// its download URL; everything decrypts here with the key from the link's fragment.
    /// </summary>
    public static Command Receive(CliRunner run)
    {
        var url = new Argument<string>("url") { Description = "The Send link, including everything after #" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the file or text (`-` for stdout); default: a text to stdout, a file under its own name in the current folder, never overwriting" };
        var command = new Command("receive", "Open a Send link: print its text or save its file. `--passwordenv VAR` gives the Send's password; otherwise it is asked for.") { url, output };
        command.SetAction((r, ct) => run.Async(r, async ctx =>
        {
            SendLink link;
            try
            {
                link = SendLink.Parse(r.GetValue(url)!);
            }
            catch (FormatException e)
            {
                throw CliException.Usage(e.Message);
            }

            using var client = ctx.CreateClient(link.Server);
            var token = await AccessTokenAsync(ctx, client, link, ct);
            var access = await Translate(() => client.AccessSendAsync(token, ct));
            using var sendKey = SendCrypto.DeriveKey(link.Seed);
            if (access.Type == 0)
            {
                var text = Open(access.Text?.Text, sendKey) ?? "";
                if (r.GetValue(output) is { } path && path != FileTransfer.StandardOutput)
                {
                    await File.WriteAllTextAsync(path, text, ct);
                    ctx.Notice($"Saved the text to {Path.GetFullPath(path)}.");
                    return;
                }

                ctx.Host.Out.WriteLine(text);
                return;
            }

            if (access.File?.Id is not { } fileId)
            {
                throw new CliException("The server sent a file Send without a file id.");
            }

            var fileName = Open(access.File.FileName, sendKey) ?? "download";
            var download = await Translate(() => client.GetSendFileDownloadAsync(token, fileId, ct));
            var written = await FileTransfer.DownloadAsync(ctx, client, download.Url, access.File.Size ?? long.MaxValue, sendKey, r.GetValue(output), fileName, ct);
            if (written != FileTransfer.StandardOutput)
            {
                ctx.Notice($"Saved '{FileTransfer.SafeName(fileName)}' to {written}.");
            }
        }));
        return command;
    }

    private static async Task<string> AccessTokenAsync(CliContext ctx, CofferApiClient client, SendLink link, CancellationToken ct)
    {
        // With --passwordenv the hash goes along at once; otherwise the first answer says whether a password is needed.
        var password = SendPassword(ctx, required: false);
        try
        {
            return await Translate(() => client.GetSendAccessTokenAsync(link.AccessId, password is null ? null : SendCrypto.PasswordHash(password, link.Seed), ct));
        }
        catch (CofferApiException e) when (e.Error == "password_hash_b64_required" && password is null)
        {
            password = ctx.Host.ReadSecretWithPrompt?.Invoke("Send password: ") is { Length: > 0 } typed
                ? typed
                : throw new CliException("This Send has a password; pass --passwordenv VAR with the password in $VAR.", e);
            return await Translate(() => client.GetSendAccessTokenAsync(link.AccessId, SendCrypto.PasswordHash(password, link.Seed), ct));
        }
    }

    private static string? Open(string? value, SymmetricKey sendKey)
    {
        try
        {
            return Decrypt(value, sendKey);
        }
        catch (CryptographicException e)
        {
            // The key is the link's fragment: a wrong one means a link cut short or altered, not a server fault.
            throw new CliException("This Send does not decrypt with the key in the link: copy the whole link, unchanged.", e);
        }
    }

    // The server's answers, in words for the recipient (§3.8 error table): an unknown and an unavailable Send look alike.
    private static async Task<T> Translate<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (CofferApiException e) when (e.Error is "send_id_invalid" || e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw CliException.NotFound("This Send does not exist or is no longer available (expired, deleted, disabled, or opened as often as allowed).");
        }
        catch (CofferApiException e) when (e.Error is "password_hash_b64_invalid")
        {
            throw new CliException("Invalid Send password.", e);
        }
    }
}
