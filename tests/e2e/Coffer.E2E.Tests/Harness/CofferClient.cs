namespace Coffer.E2E.Tests.Harness;

/// <summary>
/// The built `coffer` CLI (src/Coffer.Cli) run with the same dotnet host, its own config folder, the test CA
/// given with --ca-cert, and the master password only through --passwordenv.
/// </summary>
public sealed class CofferClient(IServerHost fixture, string stateFolder, TestAccount account) : CliClient(fixture, stateFolder)
{
    public const string PasswordVariable = "COFFER_E2E_PASSWORD";

    private readonly string caPemPath = fixture.Certificates.CaPemPath;

    public TestAccount Account { get; } = account;

    protected override string DisplayName => "coffer";

    protected override string FileName => ChildProcess.DotnetHost;

    protected override IEnumerable<string> FixedArguments => [RepoPaths.CliDll];

    protected override IEnumerable<string> TrailingArguments => ["--ca-cert", caPemPath, "--passwordenv", PasswordVariable];

    /// <summary>`coffer config server URL` then `coffer register EMAIL`.</summary>
    public async Task RegisterAsync(string serverUrl)
    {
        await OkAsync("coffer config server", "config", "server", serverUrl);
        await OkAsync("coffer register", "register", Account.Email);
    }

    /// <summary>`coffer config server URL` then `coffer login EMAIL`.</summary>
    public async Task LoginAsync(string serverUrl)
    {
        await OkAsync("coffer config server", "config", "server", serverUrl);
        await OkAsync("coffer login", "login", Account.Email);
    }

    protected override IReadOnlyDictionary<string, string?> Environment() => new Dictionary<string, string?>
    {
        ["COFFER_CONFIG_DIR"] = StateFolder,
        [PasswordVariable] = Account.Password,
        // Only --ca-cert may make the CA trusted, so a CLI that ignored it would fail here.
        ["SSL_CERT_FILE"] = null,
        ["SSL_CERT_DIR"] = null,
    };
}
