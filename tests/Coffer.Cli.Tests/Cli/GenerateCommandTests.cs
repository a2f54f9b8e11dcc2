using System.Text.Json;

namespace Coffer.Cli.Tests.Cli;

/// <summary>`coffer generate` with bw generate's options; each case is drawn many times, as a class left out by chance would pass once.</summary>
public sealed class GenerateCommandTests : IDisposable
{
    private const string Special = "!@#$%^&*";
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("ULNS", 20)]
    [InlineData("U", 30, "-u", "--length", "30")]
    [InlineData("LN", 14, "-l", "-n", "--length", "14")]
    [InlineData("ULNS", 25, "-ulns", "--length", "25")]
    [InlineData("NS", 12, "--number", "--special", "--length", "12")]
    [InlineData("ULS", 16, "--no-numbers", "--length", "16")]
    [InlineData("ULN", 10, "--uppercase", "--lowercase", "--number", "--length", "10")]
    public async Task Generate_UsesExactlyTheChosenClasses_AtTheChosenLength(string classes, int length, params string[] args)
    {
        for (var i = 0; i < 20; i++)
        {
            var value = (await _cli.OkAsync(["generate", .. args])).TrimEnd('\n');

            Assert.Equal(length, value.Length);
            Assert.Equal(classes.Contains('U', StringComparison.Ordinal), value.Any(char.IsAsciiLetterUpper));
            Assert.Equal(classes.Contains('L', StringComparison.Ordinal), value.Any(char.IsAsciiLetterLower));
            Assert.Equal(classes.Contains('N', StringComparison.Ordinal), value.Any(char.IsAsciiDigit));
            Assert.Equal(classes.Contains('S', StringComparison.Ordinal), value.Any(c => Special.Contains(c, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Generate_MinNumberAndMinSpecial_AndAmbiguous_AreHonoured()
    {
        for (var i = 0; i < 20; i++)
        {
            var value = (await _cli.OkAsync("generate", "-n", "-s", "--length", "8", "--minNumber", "4", "--minSpecial", "4", "--ambiguous")).TrimEnd('\n');

            Assert.Equal(4, value.Count(char.IsAsciiDigit));
            Assert.Equal(4, value.Count(c => Special.Contains(c, StringComparison.Ordinal)));
            Assert.DoesNotContain('0', value);
            Assert.DoesNotContain('1', value);
        }
    }

    [Theory]
    [InlineData(3, "-", false, false, "-p", "--words", "3")]
    [InlineData(6, "_", false, false, "--passphrase", "--separator", "_")]
    [InlineData(5, " ", true, false, "-p", "--words", "5", "--separator", "space", "-c")]
    [InlineData(4, "", false, true, "-p", "--words", "4", "--separator", "empty", "--includeNumber")]
    [InlineData(4, ".", true, true, "-p", "--words", "4", "--separator", ".", "--capitalize", "--include-number")]
    public async Task GeneratePassphrase_HasTheWordsSeparatorCapitalsAndNumberAsked(int words, string separator, bool capitalized, bool number, params string[] args)
    {
        for (var i = 0; i < 20; i++)
        {
            var value = (await _cli.OkAsync(["generate", .. args])).TrimEnd('\n');

            // The EFF words are lower-case letters and hyphens ("t-shirt"); so "-" as separator splits no further than that.
            Assert.Equal(number ? 1 : 0, value.Count(char.IsAsciiDigit));
            if (separator.Length > 0)
            {
                var parts = value.Split(separator);
                Assert.True(separator == "-" ? parts.Length >= words : parts.Length == words, value);
                Assert.All(parts.Where(_ => separator != "-"), p => Assert.Equal(capitalized, char.IsAsciiLetterUpper(p[0])));
            }

            Assert.Equal(capitalized ? words : 0, value.Count(char.IsAsciiLetterUpper));
        }
    }

    [Fact]
    public async Task GenerateJson_GivesTheValueAndItsEntropy()
    {
        var json = JsonDocument.Parse(await _cli.OkAsync("generate", "-p", "--words", "4", "--json")).RootElement;

        Assert.Equal("passphrase", json.GetProperty("type").GetString());
        Assert.Equal(4, json.GetProperty("value").GetString()!.Split('-').Length);
        Assert.Equal(51.7, json.GetProperty("entropyBits").GetDouble());
    }

    [Theory]
    [InlineData("generate", "-u", "--no-uppercase")]
    [InlineData("generate", "--minNumber", "10")]
    [InlineData("add", "login", "--name", "n", "--field", "novalue")]
    [InlineData("add", "login", "--name", "n", "--boolean-field", "b=maybe")]
    [InlineData("add", "login", "--name", "n", "--uri", "https://a.example", "--uri-match", "https://a.example=sometimes")]
    [InlineData("add", "card", "--name", "n", "--password", "p")]
    public async Task BadOptions_AreUsageErrors(params string[] args)
    {
        var (code, output, error) = await _cli.RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("Error: ", error, StringComparison.Ordinal);
    }
}
