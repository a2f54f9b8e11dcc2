using System.Security.Cryptography;

namespace Coffer.Client.Generators;

/// <summary>Options for a random password, with Bitwarden's defaults and character sets.</summary>
public sealed record PasswordOptions
{
    public const int MinLength = 5;
    public const int MaxLength = 128;

    public int Length { get; init; } = 20;
    public bool Uppercase { get; init; } = true;
    public bool Lowercase { get; init; } = true;
    public bool Numbers { get; init; } = true;
    public bool Special { get; init; } = true;

    /// <summary>Leaves out characters that are easy to confuse when read aloud or typed (I, O, l, 0, 1).</summary>
    public bool AvoidAmbiguous { get; init; }

    /// <summary>At least this many digits when <see cref="Numbers"/> is on (at least one either way), as <c>bw generate --minNumber</c>.</summary>
    public int MinNumbers { get; init; } = 1;

    /// <summary>At least this many special characters when <see cref="Special"/> is on, as <c>bw generate --minSpecial</c>.</summary>
    public int MinSpecial { get; init; } = 1;
}

/// <summary>Random passwords in the manner of Bitwarden's generator: at least one character of each chosen class.</summary>
public static class PasswordGenerator
{
    // The sets follow Bitwarden's password generator (libs/tools/generator), including its short special set.
    private const string UpperAll = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string UpperUnambiguous = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string LowerAll = "abcdefghijklmnopqrstuvwxyz";
    private const string LowerUnambiguous = "abcdefghijkmnopqrstuvwxyz";
    private const string DigitsAll = "0123456789";
    private const string DigitsUnambiguous = "23456789";
    private const string SpecialChars = "!@#$%^&*";

    public static GeneratedSecret Generate(PasswordOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var classes = Classes(options);
        if (classes.Count == 0)
        {
            throw new ArgumentException("Choose at least one character class.", nameof(options));
        }

        if (options.Length is < PasswordOptions.MinLength or > PasswordOptions.MaxLength)
        {
            throw new ArgumentException(
                $"Password length must be between {PasswordOptions.MinLength} and {PasswordOptions.MaxLength}.", nameof(options));
        }

        // The classes with their minimum counts: one of each chosen class, more digits or specials when asked.
        var required = classes.Select(c => c switch
        {
            DigitsAll or DigitsUnambiguous => (Set: c, Count: Math.Max(1, options.MinNumbers)),
            SpecialChars => (Set: c, Count: Math.Max(1, options.MinSpecial)),
            _ => (Set: c, Count: 1),
        }).ToList();
        if (required.Sum(r => r.Count) > options.Length)
        {
            throw new ArgumentException("The minimum digit and special counts do not fit in the length.", nameof(options));
        }

        var alphabet = string.Concat(classes);
        var chars = new char[options.Length];

        // The required characters first, so every chosen class is present, then the rest from the whole
        // alphabet. GetInt32 draws uniformly by rejection sampling, so no character is favoured by a modulo.
        var at = 0;
        foreach (var (set, count) in required)
        {
            for (var i = 0; i < count; i++)
            {
                chars[at++] = set[RandomNumberGenerator.GetInt32(set.Length)];
            }
        }

        for (; at < chars.Length; at++)
        {
            chars[at] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        // Shuffle so the guaranteed characters do not sit at known positions.
        RandomNumberGenerator.Shuffle(chars.AsSpan());
        var value = new string(chars);
        return new GeneratedSecret(value, EntropyBits(options.Length, alphabet.Length));
    }

    /// <summary>
    /// length × log2(alphabet size): the usual estimate for a uniformly drawn password. Forcing one character
    /// per class lowers the true figure by a fraction of a bit for typical lengths.
    /// </summary>
    public static double EntropyBits(int length, int alphabetSize) => length * Math.Log2(alphabetSize);

    internal static List<string> Classes(PasswordOptions options)
    {
        var classes = new List<string>(4);
        if (options.Uppercase)
        {
            classes.Add(options.AvoidAmbiguous ? UpperUnambiguous : UpperAll);
        }

        if (options.Lowercase)
        {
            classes.Add(options.AvoidAmbiguous ? LowerUnambiguous : LowerAll);
        }

        if (options.Numbers)
        {
            classes.Add(options.AvoidAmbiguous ? DigitsUnambiguous : DigitsAll);
        }

        if (options.Special)
        {
            classes.Add(SpecialChars);
        }

        return classes;
    }
}
