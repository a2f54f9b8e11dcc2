using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Cli.Storage;
using Coffer.Cli.Tests.Cli;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using Coffer.Testing.Hostile;

namespace Coffer.Cli.Tests.Hostile;

/// <summary>
/// One account whose CLI talks to the honest server through a <see cref="HostileProxy"/>, with what the vault tests read
/// back: the session and pins the CLI stored, the user key (the harness knows the password), and writes made straight
/// to the server, bypassing the CLI (items an older client wrote).
/// </summary>
internal sealed class HostileVault : IAsyncDisposable
{
    public const string Password = "correct horse battery staple 42";
    private static readonly JsonSerializerOptions StateJson = new(JsonSerializerDefaults.Web);
    private readonly Uri _server;

    private HostileVault(Uri server, HostileProxy proxy, CliRun cli, string email)
    {
        _server = server;
        Proxy = proxy;
        Cli = cli;
        Email = email;
    }

    public HostileProxy Proxy { get; }

    public CliRun Cli { get; }

    public string Email { get; }

    public static async Task<HostileVault> StartAsync(Uri server)
    {
        var proxy = await HostileProxy.StartAsync(server);
        var cli = new CliRun();
        var email = await cli.LoginNewAccountAsync(proxy.BaseAddress, Password);
        return new HostileVault(server, proxy, cli, email);
    }

    /// <summary>A second CLI (empty config folder: no pins, no cache) logging in to the same account through the proxy.</summary>
    public async Task<(CliRun Cli, (int ExitCode, string Out, string Error) Login)> FreshDeviceAsync()
    {
        var cli = new CliRun();
        cli.SetEnvironment("MP", Password);
        await cli.OkAsync("config", "server", Proxy.BaseAddress.ToString());
        return (cli, await cli.RunAsync("login", Email, "--passwordenv", "MP"));
    }

    public SessionState Session => ReadSession(Cli);

    public AccountPins Pins => ReadPins(Cli);

    public static SessionState ReadSession(CliRun cli) =>
        JsonSerializer.Deserialize<SessionState>(File.ReadAllText(Path.Combine(cli.ConfigDir, StateFiles.Session)), StateJson)!;

    public AccountPins ReadPins(CliRun cli) =>
        AccountPins.FromJson(File.ReadAllText(Path.Combine(cli.ConfigDir, $"pins-{AccountPins.FileKey(Proxy.BaseAddress.ToString(), Email)}.json")));

    public SymmetricKey UserKey()
    {
        var session = Session;
        return UserKeys.Unlock(session.ProtectedUserKey, Password, Email, session.Kdf.ToConfig());
    }

    public Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args) => Cli.RunAsync([.. args, "--passwordenv", "MP"]);

    public Task<string> OkAsync(params string[] args) => Cli.OkAsync([.. args, "--passwordenv", "MP"]);

    /// <summary>Adds a login with the CLI (through the proxy) and returns its id.</summary>
    public async Task<Guid> AddLoginAsync(string name, string username, string password, string uri = "https://bank.example") =>
        Guid.Parse((await OkAsync("add", "login", "--name", name, "--username", username, "--password", password, "--uri", uri)).Trim());

    /// <summary>Writes a cipher straight to the honest server, as another client would; returns its id.</summary>
    public async Task<Guid> CreateDirectAsync(CipherRequestModel request)
    {
        using var client = new CofferApiClient(CofferHttp.CreateHandler(null), _server, Guid.NewGuid().ToString()) { AccessToken = Session.AccessToken };
        return (await client.CreateCipherAsync(request)).Id;
    }

    /// <summary>A login as a pre-2024 client writes it: every field under the user key, no item key, no URI checksum.</summary>
    public CipherRequestModel Legacy(string name, string username, string password, string? uri = null)
    {
        using var key = UserKey();
        string E(string text) => EncString.EncryptString(text, key).ToString();
        return new CipherRequestModel
        {
            Type = CipherType.Login,
            Name = E(name),
            Notes = E($"notes of {name}"),
            Login = new CipherLoginModel
            {
                Username = E(username),
                Password = E(password),
                Uris = uri is null ? null : [new CipherLoginUriModel { Uri = E(uri) }],
            },
        };
    }

    /// <summary>
    /// No harmful write (malicious-server.md §4 point 3): every cipher the CLI posted or put carries a <c>key</c>, and no
    /// EncString it sent anywhere is type 0.
    /// </summary>
    public void AssertNoHarmfulWrite()
    {
        foreach (var write in Proxy.Egress.Where(r => r.Method is "POST" or "PUT"))
        {
            Assert.DoesNotMatch("\"0\\.[A-Za-z0-9+/=]+\\|", write.BodyText);
            if (!System.Text.RegularExpressions.Regex.IsMatch(write.Path, "^/api/ciphers(/create|/[0-9a-f-]{36}(/share)?)?$"))
            {
                continue;
            }

            var body = write.BodyJson()!;
            var cipher = body["cipher"] as JsonObject ?? (JsonObject)body;
            Assert.False(string.IsNullOrEmpty((string?)cipher["key"]), $"{write.Method} {write.Path} posted a cipher without key");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Cli.Dispose();
        await Proxy.DisposeAsync();
    }
}
