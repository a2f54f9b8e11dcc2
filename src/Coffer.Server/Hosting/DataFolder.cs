using System.Security.Cryptography;

namespace Coffer.Server.Hosting;

/// <summary>
/// Secrets generated on first run and kept in the data folder, readable by the owner only (mode 0600, folder 0700).
/// Servers that start together on one folder may all find a secret missing. Each writes its candidate under a
/// unique temporary name and moves it into place only while holding the folder's creation lock, and only if the
/// file is still missing; the others read the winner's file. A file is never visible half written. (A lock is
/// needed because on Unix <c>File.Move(…, overwrite: false)</c> is an existence check followed by rename(2), which
/// two creators can both pass.)
/// </summary>
public static class DataFolder
{
    public static void Ensure(string folder)
    {
        var created = !Directory.Exists(folder);
        Directory.CreateDirectory(folder);
        if (created && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Reads the Base64 secret in <paramref name="fileName"/>, creating it with <paramref name="bytes"/> random bytes
    /// if absent. Concurrent callers (threads or processes) on one folder all return the same secret.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file holds fewer than <paramref name="bytes"/> bytes.</exception>
    public static byte[] ReadOrCreateSecret(string folder, string fileName, int bytes)
    {
        var path = Path.Combine(folder, fileName);
        if (!File.Exists(path))
        {
            var secret = RandomNumberGenerator.GetBytes(bytes);
            if (TryCreatePrivate(path, Convert.ToBase64String(secret)))
            {
                return secret;
            }
        }

        var existing = Convert.FromBase64String(File.ReadAllText(path).Trim());
        return existing.Length >= bytes
            ? existing
            : throw new InvalidOperationException($"{path} holds {existing.Length} bytes; at least {bytes} are needed.");
    }

    /// <summary>
    /// Creates <paramref name="path"/> with <paramref name="contents"/>, readable by the owner only, unless it exists.
    /// True when this call created it; false when another writer got there first (its file is left untouched).
    /// </summary>
    public static bool TryCreatePrivate(string path, string contents)
    {
        var temp = WriteTemp(path, contents);
        try
        {
            return WhileLocked(path, () =>
            {
                if (File.Exists(path))
                {
                    return false;
                }

                File.Move(temp, path, overwrite: false);
                return true;
            });
        }
        finally
        {
            File.Delete(temp);
        }
    }

    // Runs create while holding an exclusive lock on a file beside path (flock(2) on Unix, a share-none handle on
    // Windows), which other threads and processes wait for. The kernel drops the lock if the holder dies, so a
    // crashed server never leaves the folder locked; the empty lock file stays behind, harmlessly.
    private static T WhileLocked<T>(string path, Func<T> create)
    {
        var lockPath = path + ".lock";
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        for (var attempt = 0; ; attempt++)
        {
            FileStream held;
            try
            {
                held = new FileStream(lockPath, options);
            }
            catch (IOException) when (attempt < 3000)
            {
                // Another creator holds it for the few milliseconds a write and a rename take.
                Thread.Sleep(10);
                continue;
            }

            using (held)
            {
                return create();
            }
        }
    }

    /// <summary>Writes a file that only the owner can read, atomically (a crash never leaves half a key), replacing any existing one.</summary>
    public static void WritePrivate(string path, string contents)
    {
        var temp = WriteTemp(path, contents);
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    // A temporary name of this writer's own beside the target, so the final move is a rename within one folder and
    // two writers never share (or delete) each other's temporary file.
    private static string WriteTemp(string path, string contents)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(temp, options);
        using var writer = new StreamWriter(stream);
        writer.Write(contents);
        writer.Flush();
        stream.Flush(flushToDisk: true);
        return temp;
    }
}
