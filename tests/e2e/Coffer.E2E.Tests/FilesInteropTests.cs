using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>
/// Files across clients: an attachment added with the official bw is opened by coffer and the other way round, and a
/// Send made by one is received by the other from a profile that never logged in (bitwarden-sharing-features.md §2, §3).
/// </summary>
public sealed partial class FilesInteropTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    private const string SendPasswordVariable = "COFFER_E2E_SEND_PASSWORD";

    [Fact]
    public async Task AttachmentAddedWithBw_IsOpenedByCoffer_AndOneAddedWithCoffer_IsOpenedByBw()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.RegisterAndLoginBwAsync(account);
        var item = await bw.JsonAsync("bw create item", "create", "item", BwClient.Encode(
            BwJson.LoginItem("Bank", "erin", "pw", "https://bank.example", "", folderId: null)));
        var folder = fixture.NewScratchFolder();
        var fromBw = RandomNumberGenerator.GetBytes(250_001);
        var fromCoffer = RandomNumberGenerator.GetBytes(70_000);
        await File.WriteAllBytesAsync(Path.Combine(folder, "from-bw.bin"), fromBw);
        await File.WriteAllBytesAsync(Path.Combine(folder, "from-coffer.bin"), fromCoffer);
        var coffer = fixture.NewCoffer(account);
        await coffer.LoginAsync(fixture.Server.Url);

        await bw.OkAsync("bw create attachment", "create", "attachment", "--file", Path.Combine(folder, "from-bw.bin"), "--itemid", item.Id());
        await coffer.OkAsync("coffer sync", "sync");
        await coffer.OkAsync("coffer attachment get", "attachment", "get", "Bank", "from-bw.bin", "--output", Path.Combine(folder, "bw-by-coffer.bin"));
        await coffer.OkAsync("coffer attachment add", "attachment", "add", "Bank", Path.Combine(folder, "from-coffer.bin"));
        await bw.OkAsync("bw sync", "sync");
        await bw.OkAsync("bw get attachment", "get", "attachment", "from-coffer.bin", "--itemid", item.Id(), "--output", Path.Combine(folder, "coffer-by-bw.bin"));

        Assert.Equal(fromBw, await File.ReadAllBytesAsync(Path.Combine(folder, "bw-by-coffer.bin")));
        Assert.Equal(fromCoffer, await File.ReadAllBytesAsync(Path.Combine(folder, "coffer-by-bw.bin")));
    }

    [Fact]
    public async Task SendsMadeByCoffer_AreReceivedByBw_WithoutAnAccount()
    {
        var account = TestAccount.CreateUnique();
        await fixture.NewCoffer(account).RegisterAsync(fixture.Server.Url);
        var coffer = new SendingCoffer(fixture, fixture.NewScratchFolder(), account);
        await coffer.LoginAsync(fixture.Server.Url);
        var folder = fixture.NewScratchFolder();
        var content = RandomNumberGenerator.GetBytes(90_001);
        await File.WriteAllBytesAsync(Path.Combine(folder, "plan.pdf"), content);
        coffer.ExtraEnvironment[SendPasswordVariable] = "guest pass ✓";

        var textLink = (await coffer.OkAsync("coffer send text", "send", "Door code 2468", "--passwordenv", SendPasswordVariable)).Trim();
        var fileLink = (await coffer.OkAsync("coffer send --file", "send", "--file", Path.Combine(folder, "plan.pdf"))).Trim();
        var recipient = await NotLoggedInBwAsync();
        var text = await recipient.OkAsync("bw send receive (password)", "send", "receive", textLink, "--passwordenv", SendPasswordVariable);
        await recipient.OkAsync("bw send receive (file)", "send", "receive", fileLink, "--output", Path.Combine(folder, "received.pdf"));

        Assert.Equal("Door code 2468", text.TrimEnd('\n'));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(folder, "received.pdf")));
    }

    [Fact]
    public async Task SendsMadeByBw_AreReceivedByCoffer_WithoutAnAccount()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.RegisterAndLoginBwAsync(account);
        var folder = fixture.NewScratchFolder();
        var content = RandomNumberGenerator.GetBytes(40_000);
        await File.WriteAllBytesAsync(Path.Combine(folder, "keys.txt"), content);

        var textLink = Link(await bw.OkAsync("bw send text", "send", "Wi-Fi: hunter2", "--password", "s3cret"));
        var fileLink = Link(await bw.OkAsync("bw send -f", "send", "-f", Path.Combine(folder, "keys.txt")));
        var recipient = new SendingCoffer(fixture, fixture.NewScratchFolder(), TestAccount.CreateUnique());
        recipient.ExtraEnvironment[SendPasswordVariable] = "s3cret";
        var text = await recipient.OkAsync("coffer receive (password)", "receive", textLink, "--passwordenv", SendPasswordVariable);
        await recipient.OkAsync("coffer receive (file)", "receive", fileLink, "--output", Path.Combine(folder, "received.txt"));
        var noPassword = await recipient.RunAsync("receive", textLink);

        Assert.Equal("Wi-Fi: hunter2\n", text);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(folder, "received.txt")));
        Assert.Contains("has a password", noPassword.StdErr, StringComparison.Ordinal);
    }

    private async Task<BwClient> NotLoggedInBwAsync()
    {
        var bw = fixture.NewBw(TestAccount.CreateUnique());
        bw.ExtraEnvironment[SendPasswordVariable] = "guest pass ✓";
        await bw.OkAsync("bw config server", "config", "server", fixture.Server.Url);
        return bw;
    }

    private static string Link(string output) =>
        SendUrl().Match(output) is { Success: true } match ? match.Value : throw new InvalidOperationException($"No Send link in bw's output: {output}");

    [GeneratedRegex(@"https://\S+#/send/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+")]
    private static partial Regex SendUrl();

    /// <summary>
    /// The coffer CLI for Send commands, where --passwordenv names the Send password: the master password comes
    /// from a file (--passwordfile) instead of the variable <see cref="CofferClient"/> always passes.
    /// </summary>
    private sealed class SendingCoffer(IServerHost host, string stateFolder, TestAccount account) : CliClient(host, stateFolder)
    {
        private readonly string caPemPath = host.Certificates.CaPemPath;
        private readonly string passwordFile = WritePasswordFile(stateFolder, account.Password);

        public async Task LoginAsync(string serverUrl)
        {
            await OkAsync("coffer config server", "config", "server", serverUrl);
            await OkAsync("coffer login", "login", account.Email);
        }

        protected override string DisplayName => "coffer";

        protected override string FileName => ChildProcess.DotnetHost;

        protected override IEnumerable<string> FixedArguments => [RepoPaths.CliDll];

        protected override IEnumerable<string> TrailingArguments => ["--ca-cert", caPemPath, "--passwordfile", passwordFile];

        protected override IReadOnlyDictionary<string, string?> Environment() => new Dictionary<string, string?>
        {
            ["COFFER_CONFIG_DIR"] = StateFolder,
            ["SSL_CERT_FILE"] = null,
            ["SSL_CERT_DIR"] = null,
        };

        private static string WritePasswordFile(string folder, string password)
        {
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, "master-password");
            File.WriteAllText(path, password + "\n");
            return path;
        }
    }
}
