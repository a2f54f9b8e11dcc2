using Coffer.Client.Generators;

namespace Coffer.Client.Tests.Generators;

public class PasswordGeneratorTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(128)]
    public void Generate_HasRequestedLength(int length)
    {
        var secret = PasswordGenerator.Generate(new PasswordOptions { Length = length });
        Assert.Equal(length, secret.Value.Length);
    }

    [Fact]
    public void Generate_ContainsEveryChosenClass()
    {
        // Length 5 with four classes leaves one free slot, so a class only appears if it is forced in.
        for (var i = 0; i < 200; i++)
        {
            var value = PasswordGenerator.Generate(new PasswordOptions { Length = 5 }).Value;
            Assert.Contains(value, char.IsUpper);
            Assert.Contains(value, char.IsLower);
            Assert.Contains(value, char.IsDigit);
            Assert.Contains(value, c => "!@#$%^&*".Contains(c, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Generate_WithOnlyDigits_UsesOnlyDigits()
    {
        var value = PasswordGenerator.Generate(new PasswordOptions
        {
            Length = 64,
            Uppercase = false,
            Lowercase = false,
            Special = false,
        }).Value;
        Assert.All(value, c => Assert.True(char.IsAsciiDigit(c)));
    }

    [Fact]
    public void Generate_AvoidAmbiguous_NeverUsesLookalikes()
    {
        for (var i = 0; i < 50; i++)
        {
            var value = PasswordGenerator.Generate(new PasswordOptions { Length = 128, AvoidAmbiguous = true }).Value;
            Assert.DoesNotContain(value, c => "IOl01".Contains(c, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Entropy_IsLengthTimesLog2OfAlphabet()
    {
        // 26 + 26 + 10 + 8 = 70 characters.
        var secret = PasswordGenerator.Generate(new PasswordOptions { Length = 20 });
        Assert.Equal(20 * Math.Log2(70), secret.EntropyBits, 9);
        Assert.Equal(122.59, secret.EntropyBits, 2);

        var digits = PasswordGenerator.Generate(new PasswordOptions { Length = 10, Uppercase = false, Lowercase = false, Special = false });
        Assert.Equal(10 * Math.Log2(10), digits.EntropyBits, 9);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(129)]
    public void Generate_OutOfRangeLength_Throws(int length) =>
        Assert.Throws<ArgumentException>(() => PasswordGenerator.Generate(new PasswordOptions { Length = length }));

    [Fact]
    public void Generate_NoClasses_Throws() =>
        Assert.Throws<ArgumentException>(() => PasswordGenerator.Generate(new PasswordOptions
        {
            Uppercase = false,
            Lowercase = false,
            Numbers = false,
            Special = false,
        }));

    [Fact]
    public void Generate_LowercaseOnly_IsUniformAcrossTheAlphabet()
    {
        // A byte % 26 draw would make a..v 10/9 as likely as w..z (11% more); uniform draws stay within a few
        // percent at this sample size (expected ≈ 9,846 per letter, standard deviation ≈ 97).
        var counts = new int[26];
        for (var i = 0; i < 2000; i++)
        {
            foreach (var c in PasswordGenerator.Generate(new PasswordOptions
            {
                Length = 128,
                Uppercase = false,
                Numbers = false,
                Special = false,
            }).Value)
            {
                counts[c - 'a']++;
            }
        }

        var expected = 2000 * 128 / 26.0;
        Assert.All(counts, n => Assert.InRange(n, expected * 0.95, expected * 1.05));
    }

    [Fact]
    public void Generate_TwiceGivesDifferentPasswords() =>
        Assert.NotEqual(PasswordGenerator.Generate(new PasswordOptions()).Value, PasswordGenerator.Generate(new PasswordOptions()).Value);

    [Fact]
    public void Generate_WithMinimumCounts_HasAtLeastThatManyDigitsAndSpecials()
    {
        for (var i = 0; i < 100; i++)
        {
            var value = PasswordGenerator.Generate(new PasswordOptions { Length = 10, MinNumbers = 3, MinSpecial = 4 }).Value;
            Assert.True(value.Count(char.IsAsciiDigit) >= 3, value);
            Assert.True(value.Count(c => "!@#$%^&*".Contains(c, StringComparison.Ordinal)) >= 4, value);
        }
    }

    [Fact]
    public void Generate_WithMinimumsLongerThanTheLength_Throws() =>
        Assert.Throws<ArgumentException>(() => PasswordGenerator.Generate(new PasswordOptions { Length = 5, MinNumbers = 3, MinSpecial = 3 }));
}
