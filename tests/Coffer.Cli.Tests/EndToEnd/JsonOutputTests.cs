using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Coffer.Cli.Tests.Cli;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>One account with a folder, a login with a TOTP secret and URI, and a card, made once for the class.</summary>
[SuppressMessage("Design", "CA1001", Justification = "xunit ends a fixture through IAsyncLifetime.DisposeAsync.")]
public sealed class FilledVaultFixture : ServerFixture, IAsyncLifetime
{
    private readonly CliRun _owner = new();

    public string ConfigDir => _owner.ConfigDir;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await CliAccounts.LoginNewAccountAsync(_owner, BaseUrl);
        await _owner.OkAsync("folder", "add", "Work", "--passwordenv", "MP");
        await _owner.OkAsync("add", "login", "--name", "Site", "--username", "u", "--password", "p", "--totp", "JBSWY3DPEHPK3PXP",
            "--uri", "https://site.example.com", "--notes", "n", "--folder", "Work", "--passwordenv", "MP");
        await _owner.OkAsync("add", "card", "--name", "Card", "--number", "4111111111111111", "--passwordenv", "MP");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        _owner.Dispose();
        await DisposeAsync();
    }
}

/// <summary>`--json` on every command that prints data gives one valid JSON document on stdout.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JsonOutputTests(FilledVaultFixture vault) : IClassFixture<FilledVaultFixture>, IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData(JsonValueKind.Array, "list")]
    [InlineData(JsonValueKind.Array, "list", "--url", "https://site.example.com/login")]
    [InlineData(JsonValueKind.Array, "list", "--trash")]
    [InlineData(JsonValueKind.Object, "get", "item", "Site")]
    [InlineData(JsonValueKind.Object, "get", "item", "Card")]
    [InlineData(JsonValueKind.Object, "get", "password", "Site")]
    [InlineData(JsonValueKind.Object, "get", "username", "Site")]
    [InlineData(JsonValueKind.Object, "get", "notes", "Site")]
    [InlineData(JsonValueKind.Object, "get", "uri", "Site")]
    [InlineData(JsonValueKind.Object, "get", "totp", "Site")]
    [InlineData(JsonValueKind.Array, "folder", "list")]
    [InlineData(JsonValueKind.Object, "generate")]
    [InlineData(JsonValueKind.Object, "generate", "--passphrase")]
    [InlineData(JsonValueKind.Array, "events")]
    [InlineData(JsonValueKind.Array, "devices", "list")]
    [InlineData(JsonValueKind.Object, "2fa", "status")]
    public async Task DataCommand_WithJson_PrintsOneValidJsonDocument(JsonValueKind kind, params string[] command)
    {
        foreach (var file in Directory.GetFiles(vault.ConfigDir))
        {
            File.Copy(file, Path.Combine(_cli.ConfigDir, Path.GetFileName(file)), overwrite: true);
        }

        _cli.SetEnvironment("MP", CliAccounts.Password);

        var output = await _cli.OkAsync([.. command, "--json", "--passwordenv", "MP"]);

        using var document = JsonDocument.Parse(output);
        Assert.Equal(kind, document.RootElement.ValueKind);
        if (kind == JsonValueKind.Array && !command.Contains("--trash"))
        {
            Assert.NotEqual(0, document.RootElement.GetArrayLength());
        }
    }
}
