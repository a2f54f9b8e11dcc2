using Coffer.Client.Generators;

namespace Coffer.Client.Tests.Generators;

public class PassphraseGeneratorTests
{
    [Fact]
    public void WordList_IsTheEffLargeList()
    {
        var words = EffWordList.Words;
        Assert.Equal(7776, words.Count);
        Assert.Equal(7776, words.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("abacus", words[0]);
        Assert.Equal("zoom", words[^1]);
        Assert.Contains("yo-yo", words);
    }

    [Theory]
    [InlineData(3, "-")]
    [InlineData(6, " ")]
    [InlineData(20, "_")]
    public void Generate_HasWordCountAndSeparator(int count, string separator)
    {
        var value = PassphraseGenerator.Generate(new PassphraseOptions { Words = count, Separator = separator }).Value;
        var words = value.Split(separator);
        Assert.Equal(count, words.Length);
        Assert.All(words, w => Assert.Contains(w, EffWordList.Words));
    }

    [Fact]
    public void Generate_Capitalize_UppercasesFirstLetterOfEachWord()
    {
        var words = PassphraseGenerator.Generate(new PassphraseOptions { Words = 8, Capitalize = true, Separator = "." }).Value.Split('.');
        Assert.Equal(8, words.Length);
        Assert.All(words, w => Assert.True(char.IsUpper(w[0])));
        Assert.All(words, w => Assert.Contains(char.ToLowerInvariant(w[0]) + w[1..], EffWordList.Words));
    }

    [Fact]
    public void Generate_IncludeNumber_AppendsOneDigitToOneWord()
    {
        var words = PassphraseGenerator.Generate(new PassphraseOptions { Words = 5, IncludeNumber = true, Separator = " " }).Value.Split(' ');
        Assert.Equal(5, words.Length);
        Assert.Single(words, w => char.IsAsciiDigit(w[^1]));
        Assert.Equal(1, string.Concat(words).Count(char.IsAsciiDigit));
        Assert.All(words, w => Assert.Contains(w.TrimEnd("0123456789".ToCharArray()), EffWordList.Words));
    }

    [Fact]
    public void Entropy_IsWordsTimesLog2Of7776()
    {
        Assert.Equal(6 * Math.Log2(7776), PassphraseGenerator.Generate(new PassphraseOptions()).EntropyBits, 9);
        Assert.Equal(77.55, PassphraseGenerator.Generate(new PassphraseOptions()).EntropyBits, 2);
        Assert.Equal(
            4 * Math.Log2(7776) + Math.Log2(10) + Math.Log2(4),
            PassphraseGenerator.EntropyBits(new PassphraseOptions { Words = 4, IncludeNumber = true }),
            9);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(21)]
    public void Generate_OutOfRangeWordCount_Throws(int count) =>
        Assert.Throws<ArgumentException>(() => PassphraseGenerator.Generate(new PassphraseOptions { Words = count }));
}
