using System.Security.Cryptography;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Files;

namespace Coffer.Cli.Commands;

/// <summary>
/// Moving encrypted files between disk and server in bounded memory. Encryption writes to a temporary file (the MAC
/// precedes the ciphertext, and the server wants the encrypted size before the upload); a download lands in a
/// temporary file, whose MAC is checked over every byte before one byte of plaintext is written. Temporary files
/// hold only ciphertext and are deleted on close.
/// </summary>
internal static class FileTransfer
{
    /// <summary><c>--output -</c>: the plaintext to stdout.</summary>
    public const string StandardOutput = "-";

    /// <summary>Opens <paramref name="path"/> for reading, with a message naming it when it cannot be read.</summary>
    public static FileStream OpenInput(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw e is FileNotFoundException or DirectoryNotFoundException
                ? CliException.NotFound($"No file '{path}'.")
                : new CliException($"Cannot read '{path}': {e.Message}", e);
        }
    }

    /// <summary>Encrypts <paramref name="plaintext"/> into a new temporary file, positioned at its start; the caller disposes it.</summary>
    public static async Task<FileStream> EncryptAsync(CliContext ctx, FileStream plaintext, SymmetricKey key, string label, CancellationToken ct)
    {
        var temp = CreateTemp();
        try
        {
            await CliProgress.BytesAsync(ctx, "Encrypting " + label, plaintext.Length, progress => EncArrayBuffer.EncryptAsync(plaintext, temp, key, progress, ct));
            temp.Position = 0;
            return temp;
        }
        catch
        {
            await temp.DisposeAsync();
            throw;
        }
    }

    /// <summary>Uploads the encrypted temporary file under a progress bar.</summary>
    public static Task UploadAsync(CliContext ctx, FileStream encrypted, string label, Func<IProgress<long>, Task> upload) =>
        CliProgress.BytesAsync(ctx, "Uploading " + label, encrypted.Length, async progress =>
        {
            await upload(progress);
            return true;
        });

    /// <summary>
    /// Downloads <paramref name="url"/> (at most <paramref name="maxBytes"/>), checks and decrypts it with
    /// <paramref name="key"/>, and writes the plaintext to <paramref name="output"/> (<c>-</c> for stdout), else to
    /// <paramref name="suggestedName"/> in the current folder (never overwriting; the name comes from the sender, so
    /// only its last path segment counts). Returns where it went.
    /// </summary>
    public static async Task<string> DownloadAsync(
        CliContext ctx, CofferApiClient client, string url, long maxBytes, SymmetricKey key, string? output, string suggestedName, CancellationToken ct)
    {
        await using var temp = CreateTemp();
        var label = output is null or StandardOutput ? SafeName(suggestedName) : Path.GetFileName(output);
        await CliProgress.BytesAsync(ctx, "Downloading " + label, maxBytes, progress => client.DownloadAsync(url, temp, maxBytes, progress, ct));
        temp.Position = 0;

        if (output == StandardOutput)
        {
            var stdout = ctx.Host.OpenBinaryOut?.Invoke() ?? throw new CliException("No binary standard output here; pass --output FILE.");
            await using (stdout)
            {
                // DecryptAsync writes nothing unless the MAC over the whole file matches.
                await EncArrayBuffer.DecryptAsync(temp, stdout, key, null, ct);
                return StandardOutput;
            }
        }

        var destination = Path.GetFullPath(output ?? SafeName(suggestedName));
        if (output is null && File.Exists(destination))
        {
            throw new CliException($"'{destination}' already exists; pass --output FILE to choose where it goes.");
        }

        var partial = Path.Combine(Path.GetDirectoryName(destination)!, $".{Path.GetFileName(destination)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.partial");
        try
        {
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await CliProgress.BytesAsync(ctx, "Decrypting " + label, temp.Length, async progress =>
                {
                    await EncArrayBuffer.DecryptAsync(temp, file, key, progress, ct);
                    return true;
                });
            }

            File.Move(partial, destination, overwrite: output is not null);
            return destination;
        }
        catch (CryptographicException e)
        {
            File.Delete(partial);
            throw new CliException("The downloaded file does not decrypt: it was altered, or its key is wrong. Nothing was written.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            File.Delete(partial);
            throw new CliException($"Cannot write '{destination}': {e.Message}", e);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>The last segment of a name someone else chose, so it cannot point outside the current folder.</summary>
    public static string SafeName(string name)
    {
        var last = Path.GetFileName(name.Replace('\\', '/').TrimEnd('/'));
        return last is "" or "." or ".." || last.Any(char.IsControl) ? "download" : last;
    }

    private static FileStream CreateTemp() =>
        new(Path.Combine(Path.GetTempPath(), $"coffer-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.enc"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
}
