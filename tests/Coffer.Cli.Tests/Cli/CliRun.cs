namespace Coffer.Cli.Tests.Cli;

/// <summary>Runs `coffer` in-process with its own config folder, environment and captured output.</summary>
public sealed class CliRun : IDisposable
{
    private readonly Dictionary<string, string?> _environment = new(StringComparer.Ordinal);

    public CliRun()
    {
        ConfigDir = Directory.CreateTempSubdirectory("coffer-cli-").FullName;
        _environment["COFFER_CONFIG_DIR"] = ConfigDir;
    }

    public string ConfigDir { get; }

    public void SetEnvironment(string name, string value) => _environment[name] = value;

    /// <summary>A person at the terminal: answers each prompt (given the question). Null: no terminal, as in CI.</summary>
    public Func<string, string?>? Terminal { get; set; }

    /// <summary>A person typing the master password at a no-echo prompt. Null: no terminal, as in CI.</summary>
    public Func<string?>? SecretTerminal { get; set; }

    /// <summary>Whether stderr looks like a terminal to the CLI (progress bars are drawn only then).</summary>
    public bool ErrorIsTerminal { get; set; }

    /// <summary>The bytes the last command wrote to binary stdout (`--output -`).</summary>
    public byte[] BinaryOut => _binaryOut?.ToArray() ?? [];

    private MemoryStream? _binaryOut;

    /// <summary>What the running command has printed so far, for a <see cref="Terminal"/> that reacts to it.</summary>
    public string OutputSoFar => _output?.ToString() ?? "";

    private StringWriter? _output;

    public async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        _output = output;
        _binaryOut = new MemoryStream();
        var host = new CliHost(
            output, error, name => _environment.GetValueOrDefault(name), TimeProvider.System, SecretTerminal, Terminal,
            ErrorIsTerminal: ErrorIsTerminal, OpenBinaryOut: () => _binaryOut);
        var code = await CofferCli.RunAsync(args, host);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs and requires success, returning stdout.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.True(code == 0, $"coffer {string.Join(' ', args)} exited {code}: {error}");
        return output;
    }

    /// <summary>Points at <paramref name="server"/>, registers a fresh account and logs in with $MP = <paramref name="password"/>; returns the e-mail.</summary>
    public async Task<string> LoginNewAccountAsync(Uri server, string password)
    {
        ArgumentNullException.ThrowIfNull(server);
        var email = $"user-{Guid.NewGuid():N}@example.com";
        SetEnvironment("MP", password);
        await OkAsync("config", "server", server.ToString());
        await OkAsync("register", email, "--name", "Test", "--passwordenv", "MP");
        await OkAsync("login", email, "--passwordenv", "MP");
        return email;
    }

    public void Dispose() => Directory.Delete(ConfigDir, recursive: true);
}
