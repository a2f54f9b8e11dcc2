namespace Coffer.Cli.Tests.Cli;

public sealed class ArgumentErrorTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("bogus")]
    [InlineData("get")]
    [InlineData("get", "secret", "x")]
    [InlineData("add", "login")]
    [InlineData("add", "login", "--name", "n", "--password", "p", "--generate")]
    [InlineData("generate", "--length", "4")]
    [InlineData("generate", "--length", "ten")]
    [InlineData("generate", "--passphrase", "--words", "21")]
    [InlineData("list", "--unknown")]
    [InlineData("rm")]
    public async Task UsageErrors_ExitWith2(params string[] args)
    {
        var (code, output, error) = await _cli.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("Error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_WhenNotLoggedIn_Exits3WithOneLine()
    {
        var (code, _, error) = await _cli.RunAsync("list");
        Assert.Equal(ExitCodes.NotLoggedIn, code);
        Assert.Equal("Error: You are not logged in. Run `coffer login EMAIL`.", error.TrimEnd());
    }

    [Fact]
    public async Task Login_WithoutTerminalOrPasswordFlag_SaysHowToPassThePassword()
    {
        await _cli.OkAsync("config", "server", "http://127.0.0.1:9");
        var (code, _, error) = await _cli.RunAsync("login", "a@example.com");
        Assert.Equal(1, code);
        Assert.Contains("--passwordenv", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_PrintsSecretOnStdout_AndEntropyOnStderr()
    {
        var (code, output, error) = await _cli.RunAsync("generate", "--passphrase", "--words", "4", "--separator", "_");
        Assert.Equal(0, code);
        Assert.Equal(4, output.TrimEnd().Split('_').Length);
        Assert.Equal("Entropy: 51.7 bits", error.TrimEnd());
    }

    [Fact]
    public async Task ConfigServer_RejectsNonHttpUrl_AndStoresAValidOne()
    {
        Assert.Equal(1, (await _cli.RunAsync("config", "server", "ftp://example.org")).ExitCode);
        await _cli.OkAsync("config", "server", "https://vault.example.org/");
        Assert.Contains("\"server\": \"https://vault.example.org\"", await File.ReadAllTextAsync(Path.Combine(_cli.ConfigDir, "config.json")), StringComparison.Ordinal);
    }
}
