namespace Coffer.Cli.Tests.Cli;

/// <summary>Command lines of `coffer attachment`, `send` and `receive` that are refused before any network call.</summary>
public sealed class FileArgumentTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("send")]
    [InlineData("send", "text")]
    [InlineData("send", "hello", "--file", "notes.txt")]
    [InlineData("send", "hello", "--expire", "40d")]
    [InlineData("send", "hello", "--expire", "90m")]
    [InlineData("send", "hello", "--expire", "0h")]
    [InlineData("send", "hello", "--expire", "soon")]
    [InlineData("send", "hello", "--max-access", "0")]
    [InlineData("send", "rm")]
    [InlineData("attachment", "add", "item")]
    [InlineData("attachment", "get")]
    [InlineData("receive")]
    [InlineData("receive", "not a link")]
    [InlineData("receive", "https://vault.example.com/#/send/only-an-id")]
    [InlineData("receive", "ftp://vault.example.com/#/send/EREREQAAQACAAAAAAAAAAQ/AAECAwQFBgcICQoLDA0ODw")]
    public async Task UsageErrors_ExitWith2(params string[] args)
    {
        var (code, output, error) = await _cli.RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("Error: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1h", 1)]
    [InlineData("12h", 12)]
    [InlineData("7d", 168)]
    [InlineData("31d", 744)]
    [InlineData("744h", 744)]
    public void Expire_ReadsHoursAndDays_UpTo31Days(string text, int hours)
    {
        Assert.Equal(TimeSpan.FromHours(hours), Commands.SendCommands.ParseLifetime(text));
    }

    [Fact]
    public async Task Receive_OfAServerThatIsNotThere_SaysWhichServer()
    {
        var (code, _, error) = await _cli.RunAsync("receive", "http://127.0.0.1:9/#/send/EREREQAAQACAAAAAAAAAAQ/AAECAwQFBgcICQoLDA0ODw");

        Assert.Equal(1, code);
        Assert.Contains("Cannot reach http://127.0.0.1:9/", error, StringComparison.Ordinal);
    }
}
