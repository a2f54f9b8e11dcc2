using System.Text.Json;

namespace Coffer.Cli.Storage;

/// <summary>
/// The folder holding config.json and session.json. Everything in it is private to the user: the folder is
/// 0700 and every file is created 0600 before any byte is written, so there is no window in which a token is
/// readable by others.
/// </summary>
public sealed class ConfigDirectory
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public ConfigDirectory(string path) => Path = path;

    public string Path { get; }

    /// <summary>$COFFER_CONFIG_DIR, else $XDG_CONFIG_HOME/coffer, else ~/.config/coffer (the XDG base directory rule).</summary>
    public static ConfigDirectory Resolve(Func<string, string?> getEnvironment)
    {
        ArgumentNullException.ThrowIfNull(getEnvironment);
        var explicitDir = getEnvironment("COFFER_CONFIG_DIR");
        if (!string.IsNullOrWhiteSpace(explicitDir))
        {
            return new ConfigDirectory(System.IO.Path.GetFullPath(explicitDir));
        }

        var xdg = getEnvironment("XDG_CONFIG_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && System.IO.Path.IsPathRooted(xdg))
        {
            return new ConfigDirectory(System.IO.Path.Combine(xdg, "coffer"));
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new ConfigDirectory(System.IO.Path.Combine(home, ".config", "coffer"));
    }

    public T? Read<T>(string fileName)
        where T : class
    {
        var file = System.IO.Path.Combine(Path, fileName);
        if (!File.Exists(file))
        {
            return null;
        }

        using var stream = File.OpenRead(file);
        return JsonSerializer.Deserialize<T>(stream, JsonOptions);
    }

    public void Write<T>(string fileName, T value)
    {
        EnsureDirectory();
        var file = System.IO.Path.Combine(Path, fileName);

        // Write a sibling temp file and rename it over the target, so a crash never leaves half a session.
        var temp = file + ".tmp";
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFileMode;
        }

        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, value, JsonOptions);
        }

        File.Move(temp, file, overwrite: true);
    }

    public void Delete(string fileName) => File.Delete(System.IO.Path.Combine(Path, fileName));

    private void EnsureDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path);
            return;
        }

        Directory.CreateDirectory(Path, DirectoryMode);

        // CreateDirectory leaves an existing folder as it was; tighten it in case it was made by hand.
        File.SetUnixFileMode(Path, DirectoryMode);
    }
}
