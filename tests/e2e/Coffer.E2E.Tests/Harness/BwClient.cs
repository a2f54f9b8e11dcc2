using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coffer.E2E.Tests.Harness;

/// <summary>
/// The unmodified official Bitwarden CLI (npm @bitwarden/cli, pinned in tests/e2e/node) with its own app-data
/// folder, trusting the test CA through NODE_EXTRA_CA_CERTS, never prompting, and given the master password only
/// through an environment variable (--passwordenv).
/// </summary>
public sealed partial class BwClient(IServerHost fixture, string stateFolder, TestAccount account) : CliClient(fixture, stateFolder)
{
    public const string PasswordVariable = "COFFER_E2E_BW_PASSWORD";

    private readonly string caPemPath = fixture.Certificates.CaPemPath;

    public TestAccount Account { get; } = account;

    /// <summary>The session key printed by `bw login --raw`, passed back with --session on every later call.</summary>
    public string? Session { get; private set; }

    protected override string DisplayName => "bw";

    protected override string FileName => "node";

    protected override IEnumerable<string> FixedArguments
    {
        get
        {
            yield return RepoPaths.BwScript;
            yield return "--nointeraction";
            if (Session is not null)
            {
                yield return "--session";
                yield return Session;
            }
        }
    }

    /// <summary>
    /// `bw config server URL` then `bw login EMAIL --passwordenv VAR --raw` plus <paramref name="extra"/> (such as
    /// `--method 0 --code 123456`); keeps the session key.
    /// </summary>
    public async Task LoginAsync(string serverUrl, params string[] extra)
    {
        await OkAsync("bw config server", "config", "server", serverUrl);
        var output = await OkAsync("bw login --raw", ["login", Account.Email, "--passwordenv", PasswordVariable, "--raw", .. extra]);
        var session = output.Trim();
        Assert.True(SessionKey().IsMatch(session), Explain("bw login --raw", $"expected only a session key on stdout, got '{session}'"));
        Session = session;
    }

    public async Task LogoutAsync()
    {
        await OkAsync("bw logout", "logout");
        Session = null;
    }

    /// <summary>`bw create|edit OBJECT [ID] BASE64JSON`, as the CLI's own `bw encode` would encode it.</summary>
    public static string Encode(object value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));

    protected override IReadOnlyDictionary<string, string?> Environment() => new Dictionary<string, string?>
    {
        ["BITWARDENCLI_APPDATA_DIR"] = StateFolder,
        ["NODE_EXTRA_CA_CERTS"] = caPemPath,
        ["BW_NOINTERACTION"] = "true",
        [PasswordVariable] = Account.Password,
        // A session or server from the developer's own shell must never reach the client under test.
        ["BW_SESSION"] = null,
        ["BW_CLIENTID"] = null,
        ["BW_CLIENTSECRET"] = null,
    };

    [GeneratedRegex("^[A-Za-z0-9+/]{40,}={0,2}$")]
    private static partial Regex SessionKey();
}
