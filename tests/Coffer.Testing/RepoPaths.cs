using System.Reflection;

namespace Coffer.Testing;

/// <summary>Where the programs under test live, found from the repository root above this test assembly.</summary>
public static class RepoPaths
{
    public const string SetupHint = "Run ./test.sh from the repository root: it installs the pinned Bitwarden CLI and builds everything.";

    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } = Metadata("CofferBuildConfiguration");

    public static string TargetFramework { get; } = Metadata("CofferTargetFramework");

    public static string ServerDll => BuiltAssembly("src/Coffer.Server", "coffer-server.dll");

    public static string CliDll => BuiltAssembly("src/Coffer.Cli", "coffer.dll");

    public static string NodeFolder => Path.Combine(Root, "tests", "e2e", "node");

    /// <summary>The CLI's own entry script; run with `node` so no shell shim or PATH lookup is involved.</summary>
    public static string BwScript
    {
        get
        {
            var script = Path.Combine(NodeFolder, "node_modules", "@bitwarden", "cli", "build", "bw.js");
            return File.Exists(script)
                ? script
                : throw new InvalidOperationException($"The Bitwarden CLI is not installed ({script} is missing). {SetupHint}");
        }
    }

    private static string BuiltAssembly(string project, string fileName)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, TargetFramework, fileName);
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{path} is missing: build the solution with -c {Configuration} first. {SetupHint}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coffer.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Coffer.slnx above {AppContext.BaseDirectory}.");
    }

    private static string Metadata(string key) =>
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} has no value.");
}
