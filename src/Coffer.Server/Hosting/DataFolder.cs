using System.Security.Cryptography;

namespace Coffer.Server.Hosting;

/// <summary>
/// Secrets generated on first run and kept in the data folder, readable by the owner only (mode 0600, folder 0700).
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

    /// <summary>Reads the Base64 secret in <paramref name="fileName"/>, creating it with <paramref name="bytes"/> random bytes if absent.</summary>
    public static byte[] ReadOrCreateSecret(string folder, string fileName, int bytes)
    {
        var path = Path.Combine(folder, fileName);
        if (File.Exists(path))
        {
            var existing = Convert.FromBase64String(File.ReadAllText(path).Trim());
            if (existing.Length < bytes)
            {
                throw new InvalidOperationException($"{path} holds {existing.Length} bytes; at least {bytes} are needed.");
            }

            return existing;
        }

        var secret = RandomNumberGenerator.GetBytes(bytes);
        WritePrivate(path, Convert.ToBase64String(secret));
        return secret;
    }

    /// <summary>Writes a file that only the owner can read, atomically (a crash never leaves half a key).</summary>
    public static void WritePrivate(string path, string contents)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
