using System.Globalization;
using Coffer.Bench;
using Coffer.Bench.Micro;

// Subcommands: http (default), sync-orgs, micro, import, files, commit, footprint, scale, and serve-baseline (the child process that http starts).
var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "http";
var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
return command switch
{
    "http" => await HttpCommand.RunAsync(ParseHttp(rest)),
    "sync-orgs" => await SyncOrganizationsCommand.RunAsync(ParseHttp(rest)),
    "micro" => MicroCommand.Run(rest),
    "files" => await FilesCommand.RunAsync(ParseFiles(rest)),
    "commit" => await CommitCommand.RunAsync(ParseCommit(rest)),
    "import" => await ImportCommand.RunAsync(RepoRoot(), rest is ["--rows", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 100_000),
    "footprint" => await FootprintCommand.RunAsync(ParseFootprint(rest)),
    "scale" => await ScaleCommand.RunAsync(ParseScale(rest)),
    "serve-baseline" => await StaticBaseline.RunAsync(rest),
    _ => Usage(),
};

static FilesCommand.Options ParseFiles(string[] args)
{
    var options = new FilesCommand.Options(RepoRoot());
    for (var i = 0; i < args.Length; i++)
    {
        options = args[i] switch
        {
            "--size-mb" => options with { SizeMb = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 500) },
            "--rss-mb" => options with { RssMb = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 520) },
            "--rounds" => options with { Rounds = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 50) },
            "--postgres" => options with { Postgres = args[++i] },
            _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --size-mb N --rss-mb N --rounds N --postgres ADMIN_CONNECTION_STRING"),
        };
    }

    return options;
}

static FootprintCommand.Options ParseFootprint(string[] args)
{
    var options = new FootprintCommand.Options(RepoRoot());
    var environment = new Dictionary<string, string>();
    for (var i = 0; i < args.Length; i++)
    {
        options = args[i] switch
        {
            "--coffer" => options with { CofferFolder = Path.GetFullPath(args[++i]) },
            "--bare" => options with { BareFolder = Path.GetFullPath(args[++i]) },
            "--runs" => options with { Runs = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 50) },
            "--mixed-minutes" => options with { MixedMinutes = Math.Clamp(double.Parse(args[++i], CultureInfo.InvariantCulture), 0, 120) },
            "--connections" => options with { Connections = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 256) },
            "--env" when args[++i].Split('=', 2) is [var key, var value] => options with { Environment = new Dictionary<string, string>(environment) { [key] = value } },
            "--out" => options with { Output = Path.GetFullPath(args[++i]) },
            _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --coffer DIR --bare DIR --runs N --mixed-minutes M --connections N --env NAME=VALUE --out FILE"),
        };
        environment = new Dictionary<string, string>(options.Environment);
    }

    return options;
}

static ScaleCommand.Options ParseScale(string[] args)
{
    var options = new ScaleCommand.Options(RepoRoot(), new ScaleData.Options(), new LoadOptions(8, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)));
    for (var i = 0; i < args.Length; i++)
    {
        int Number(int min, int max) => Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), min, max);
        options = args[i] switch
        {
            "--postgres" => options with { Postgres = args[++i] },
            "--accounts" => options with { Data = options.Data with { Accounts = Number(1, 1_000_000) } },
            "--large-items" => options with { Data = options.Data with { LargeItems = Number(0, 10_000_000) } },
            "--large-folders" => options with { Data = options.Data with { LargeFolders = Number(0, 1_000_000) } },
            "--mean-items" => options with { Data = options.Data with { MeanItems = Number(0, 10_000) } },
            "--providers" => options with { Providers = [.. args[++i].Split(',').Select(p => p.Trim().Equals("sqlite", StringComparison.OrdinalIgnoreCase) ? "SQLite" : "PostgreSQL")] },
            "--rounds" => options with { Rounds = Number(1, 20) },
            "--large-syncs" => options with { LargeSyncs = Number(1, 100) },
            "--connections" => options with { Load = options.Load with { Connections = Number(1, 256) } },
            "--warmup" => options with { Load = options.Load with { Warmup = TimeSpan.FromSeconds(Number(0, 60)) } },
            "--duration" => options with { Load = options.Load with { Duration = TimeSpan.FromSeconds(Number(1, 600)) } },
            _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --postgres ADMIN_CONNECTION_STRING --accounts N --large-items N --large-folders N --mean-items N --providers sqlite,postgres --rounds N --large-syncs N --connections N --warmup S --duration S"),
        };
    }

    return options;
}

static HttpCommand.Options ParseHttp(string[] args)
{
    int connections = 8, warmup = 2, duration = 10;
    HashSet<string>? only = null;
    bool perfMap = false, skipStartup = false;
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--connections":
                connections = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 256);
                break;
            case "--warmup":
                warmup = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 0, 60);
                break;
            case "--duration":
                duration = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 600);
                break;
            case "--only":
                only = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                break;
            case "--perf-map":
                perfMap = true;
                break;
            case "--skip-startup":
                skipStartup = true;
                break;
            default:
                throw new ArgumentException($"Unknown option {args[i]}. Options: --connections N --warmup S --duration S --only a,b --perf-map --skip-startup");
        }
    }

    return new(connections, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(duration), only, perfMap, skipStartup, RepoRoot());
}

// The bench runs from its bin folder; the server build and bench/results are found relative to the repository root.
static string RepoRoot()
{
    for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
    {
        if (File.Exists(Path.Combine(folder.FullName, "Coffer.slnx")))
        {
            return folder.FullName;
        }
    }

    throw new InvalidOperationException("Coffer.slnx not found above " + AppContext.BaseDirectory);
}

static CommitCommand.Options ParseCommit(string[] args)
{
    var root = RepoRoot();
    var options = new CommitCommand.Options(Path.Combine(root, "src/Coffer.Server/bin/Release/net10.0/coffer-server.dll"),
        TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
    for (var i = 0; i < args.Length; i++)
    {
        options = args[i] switch
        {
            "--server" => options with { ServerDll = Path.GetFullPath(args[++i]) },
            "--warmup" => options with { Warmup = TimeSpan.FromSeconds(Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 0, 60)) },
            "--duration" => options with { Duration = TimeSpan.FromSeconds(Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 600)) },
            _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --server DLL --warmup S --duration S"),
        };
    }

    return options;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Coffer.Bench [http [--connections N] [--warmup S] [--duration S] [--only a,b] [--perf-map] [--skip-startup]] | sync-orgs [same options as http] | micro [BenchmarkDotNet args] | import [--rows N] | footprint [--runs 5] [--mixed-minutes 1] [--env NAME=VALUE] [--coffer DIR] [--bare DIR] | files [--size-mb 100] [--rss-mb 500] [--rounds 5] [--postgres ADMIN_CONNECTION_STRING] | commit [--server DLL] [--warmup S] [--duration S] | scale [--postgres ADMIN_CONNECTION_STRING] [--accounts 10000] [--large-items 100000] [--large-folders 5000] [--mean-items 20] [--rounds 2] [--duration S]");
    return 2;
}
