using System.Globalization;
using System.Security.Cryptography;

namespace Coffer.Client.Generators;

/// <summary>Options for a passphrase, with Bitwarden's defaults and limits.</summary>
public sealed record PassphraseOptions
{
    public const int MinWords = 3;
    public const int MaxWords = 20;

    public int Words { get; init; } = 6;
    public string Separator { get; init; } = "-";
    public bool Capitalize { get; init; }

    /// <summary>Appends one random digit to one randomly chosen word, as Bitwarden's "include number" does.</summary>
    public bool IncludeNumber { get; init; }
}

/// <summary>Passphrases of words drawn uniformly from the EFF large wordlist.</summary>
public static class PassphraseGenerator
{
    public static GeneratedSecret Generate(PassphraseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Words is < PassphraseOptions.MinWords or > PassphraseOptions.MaxWords)
        {
            throw new ArgumentException(
                $"Passphrase word count must be between {PassphraseOptions.MinWords} and {PassphraseOptions.MaxWords}.", nameof(options));
        }

        if (options.Separator.Length > 1)
        {
            // Bitwarden limits the separator to one character; longer ones are almost always a typo.
            throw new ArgumentException("The separator must be at most one character.", nameof(options));
        }

        var list = EffWordList.Words;
        var words = new string[options.Words];
        for (var i = 0; i < words.Length; i++)
        {
            var word = list[RandomNumberGenerator.GetInt32(list.Count)];
            words[i] = options.Capitalize ? char.ToUpperInvariant(word[0]) + word[1..] : word;
        }

        if (options.IncludeNumber)
        {
            var at = RandomNumberGenerator.GetInt32(words.Length);
            words[at] += RandomNumberGenerator.GetInt32(10).ToString(CultureInfo.InvariantCulture);
        }

        return new GeneratedSecret(string.Join(options.Separator, words), EntropyBits(options));
    }

    /// <summary>
    /// words × log2(7776); the optional digit adds log2(10) for its value and log2(words) for the word it joins.
    /// Capitalisation and the separator are fixed by the options, so they add nothing.
    /// </summary>
    public static double EntropyBits(PassphraseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var bits = options.Words * Math.Log2(EffWordList.Count);
        return options.IncludeNumber ? bits + Math.Log2(10) + Math.Log2(options.Words) : bits;
    }
}
