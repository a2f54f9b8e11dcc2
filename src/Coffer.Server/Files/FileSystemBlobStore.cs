using System.Runtime.CompilerServices;

namespace Coffer.Server.Files;

/// <summary>
/// Blobs as files under <c>{data folder}/files</c> (SQLite, one node): <c>files/attachments/{cipherId}/{attachmentId}</c>
/// and so on (<see cref="BlobKeys"/>). A blob is written to a temporary file in its final folder
/// (<c>.{name}.{random}.tmp</c>, mode 0600), fsynced, and renamed into place on commit, so a crash never leaves half a
/// file under a real name; leftover temporary files are removed by <see cref="DeleteAbandonedAsync"/>. Folders are 0700.
/// </summary>
public sealed class FileSystemBlobStore(string root) : IBlobStore
{
    private const string TempSuffix = ".tmp";

    /// <summary>The folder every blob lives under (absolute).</summary>
    public string Root { get; } = Path.GetFullPath(root);

    public async Task<StagedBlob> StageAsync(string key, Stream source, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        var final = PathOf(key);
        var folder = Path.GetDirectoryName(final)!;
        CreateFolder(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(final)}.{Guid.NewGuid():N}{TempSuffix}");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            long length;
            byte[] head;
            await using (var file = OpenTemp(folder, temp, options))
            {
                (length, head) = await BlobCopy.CopyAsync(source, file, maxBytes, ct);
                file.Flush(flushToDisk: true);
            }

            return new StagedBlob(key, temp, length, head);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public Task CommitAsync(StagedBlob staged, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var final = PathOf(staged.Key);
        try
        {
            // No overwrite: a second upload into one slot must never replace the first (§2.10 A-10). The callers also
            // claim the slot in the database first, so two commits of one key do not race here.
            File.Move(staged.Location, final, overwrite: false);
        }
        catch (IOException) when (File.Exists(final))
        {
            File.Delete(staged.Location);
            throw new BlobExistsException(staged.Key);
        }

        return Task.CompletedTask;
    }

    public Task DiscardAsync(StagedBlob staged)
    {
        ArgumentNullException.ThrowIfNull(staged);
        try
        {
            File.Delete(staged.Location);
        }
        catch (DirectoryNotFoundException)
        {
            // Its folder went with its item (DeletePrefixAsync): so did the file.
        }

        return Task.CompletedTask;
    }

    public Task<BlobContent?> OpenReadAsync(string key, CancellationToken ct)
    {
        try
        {
            var stream = new FileStream(PathOf(key), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = 0,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
            return Task.FromResult<BlobContent?>(new BlobContent(stream, stream.Length));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<BlobContent?>(null);
        }
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        try
        {
            File.Delete(PathOf(key));
        }
        catch (DirectoryNotFoundException)
        {
            // File.Delete accepts a missing file but not a missing folder: nothing was stored under the key.
        }

        return Task.CompletedTask;
    }

    public Task DeletePrefixAsync(string prefix, CancellationToken ct)
    {
        var folder = PathOf(prefix);
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing stored under it.
        }

        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync([EnumeratorCancellation] CancellationToken ct)
    {
        if (!Directory.Exists(Root))
        {
            yield break;
        }

        foreach (var path in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            ct.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!BlobKeys.IsValid(key))
            {
                // Temporary files (their names start with a dot) and anything else that is not a blob.
                continue;
            }

            var info = new FileInfo(path);
            if (info.Exists)
            {
                yield return new BlobInfo(key, info.Length, info.LastWriteTimeUtc);
            }

            await Task.Yield();
        }
    }

    public Task<int> DeleteAbandonedAsync(DateTime before, CancellationToken ct)
    {
        var removed = 0;
        if (Directory.Exists(Root))
        {
            foreach (var path in Directory.EnumerateFiles(Root, "*" + TempSuffix, SearchOption.AllDirectories))
            {
                if (Path.GetFileName(path).StartsWith('.') && File.GetLastWriteTimeUtc(path) < before)
                {
                    File.Delete(path);
                    removed++;
                }
            }

            // Folders of items and Sends whose last file went (also the ones this sweep just emptied). An upload that
            // made its folder a moment ago and finds it gone makes it again (OpenTemp).
            foreach (var folder in Directory.EnumerateDirectories(Root, "*", SearchOption.AllDirectories).OrderByDescending(f => f.Length).ToList())
            {
                try
                {
                    if (!Directory.EnumerateFileSystemEntries(folder).Any())
                    {
                        Directory.Delete(folder);
                    }
                }
                catch (IOException)
                {
                    // A file arrived in it meanwhile (or it went already): not empty, or nothing to do.
                }
            }
        }

        return Task.FromResult(removed);
    }

    private string PathOf(string key) => Path.Combine(Root, BlobKeys.Checked(key).Replace('/', Path.DirectorySeparatorChar));

    private static FileStream OpenTemp(string folder, string temp, FileStreamOptions options)
    {
        try
        {
            return new FileStream(temp, options);
        }
        catch (DirectoryNotFoundException)
        {
            // The sweep removed the item's empty folder between CreateFolder and here (DeleteAbandonedAsync).
            CreateFolder(folder);
            return new FileStream(temp, options);
        }
    }

    private static void CreateFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}

/// <summary>Copies a stream with a byte cap, keeping the first bytes for format checks; shared by both stores.</summary>
internal static class BlobCopy
{
    private const int BufferBytes = 128 * 1024;

    /// <summary>Copies all of <paramref name="source"/>; throws <see cref="BlobTooLargeException"/> past <paramref name="maxBytes"/>.</summary>
    public static async Task<(long Length, byte[] Head)> CopyAsync(Stream source, Stream target, long maxBytes, CancellationToken ct)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            long total = 0;
            var head = new List<byte>(StagedBlob.HeadBytes);
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferBytes), ct)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    throw new BlobTooLargeException(maxBytes);
                }

                if (head.Count < StagedBlob.HeadBytes)
                {
                    head.AddRange(buffer.AsSpan(0, Math.Min(read, StagedBlob.HeadBytes - head.Count)));
                }

                await target.WriteAsync(buffer.AsMemory(0, read), ct);
            }

            return (total, head.ToArray());
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
