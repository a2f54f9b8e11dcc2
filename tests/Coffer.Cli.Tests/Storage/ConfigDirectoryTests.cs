using Coffer.Cli.Storage;

namespace Coffer.Cli.Tests.Storage;

// File modes are a Unix concept; the CLI targets Linux and macOS.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ConfigDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("coffer-cfg-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Resolve_PrefersCofferConfigDir_ThenXdg_ThenHome()
    {
        var env = new Dictionary<string, string?> { ["COFFER_CONFIG_DIR"] = "/a/b", ["XDG_CONFIG_HOME"] = "/x" };
        Assert.Equal("/a/b", ConfigDirectory.Resolve(k => env.GetValueOrDefault(k)).Path);

        env.Remove("COFFER_CONFIG_DIR");
        Assert.Equal("/x/coffer", ConfigDirectory.Resolve(k => env.GetValueOrDefault(k)).Path);

        env.Clear();
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal(Path.Combine(home, ".config", "coffer"), ConfigDirectory.Resolve(k => env.GetValueOrDefault(k)).Path);
    }

    [Fact]
    public void Write_CreatesDirectory0700_AndFile0600()
    {
        var dir = new ConfigDirectory(Path.Combine(_root, "nested", "coffer"));
        dir.Write("config.json", new { Server = "http://127.0.0.1:1" });

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir.Path, "config.json")));
    }

    [Fact]
    public void Write_TightensAnExistingOpenDirectory_AndKeeps0600OnOverwrite()
    {
        var path = Path.Combine(_root, "open");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        var dir = new ConfigDirectory(path);

        dir.Write("session.json", new { A = 1 });
        dir.Write("session.json", new { A = 2 });

        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(path));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(path, "session.json")));
        Assert.False(File.Exists(Path.Combine(path, "session.json.tmp")));
        Assert.Equal(2, dir.Read<Probe>("session.json")!.A);
    }

    [Fact]
    public void Read_MissingFile_ReturnsNull() => Assert.Null(new ConfigDirectory(_root).Read<Probe>("nope.json"));

    private sealed record Probe(int A);
}
