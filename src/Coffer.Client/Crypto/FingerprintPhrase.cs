using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Coffer.Client.Generators;

namespace Coffer.Client.Crypto;

/// <summary>
/// The fingerprint phrase the official clients show for a public key (bitwarden/clients key.service.ts
/// <c>getFingerprint</c>/<c>hashPhrase</c>; malicious-server.md §2.3), so a phrase Coffer prints can be read
/// aloud and compared with the one an official client shows:
/// <c>keyFingerprint = SHA-256(SPKI DER)</c>; <c>fp = HKDF-Expand(PRK = keyFingerprint, info = UTF-8(material), L = 32, SHA-256)</c>;
/// <c>fp</c> read as a big-endian unsigned integer; five times (64 bits of entropy at log2(7776) bits a word)
/// <c>word = EFF long list[fp mod 7776]; fp /= 7776</c>; words joined with <c>-</c>.
/// </summary>
public static class FingerprintPhrase
{
    private const int MinimumEntropyBits = 64;

    /// <summary>The phrase's words for a user's public key.</summary>
    /// <param name="fingerprintMaterial">That user's id, as the server sends it (lowercase GUID).</param>
    /// <param name="publicKeySpki">DER SubjectPublicKeyInfo bytes (the Base64-decoded <c>publicKey</c> of <c>GET /api/users/{id}/public-key</c>).</param>
    public static IReadOnlyList<string> Words(string fingerprintMaterial, ReadOnlySpan<byte> publicKeySpki)
    {
        ArgumentNullException.ThrowIfNull(fingerprintMaterial);
        Span<byte> keyFingerprint = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(publicKeySpki, keyFingerprint);
        var fingerprint = HKDF.Expand(HashAlgorithmName.SHA256, keyFingerprint.ToArray(), 32, Encoding.UTF8.GetBytes(fingerprintMaterial));
        return HashPhrase(fingerprint);
    }

    /// <summary><see cref="Words"/> joined with <c>-</c>, as the web vault displays it.</summary>
    public static string Compute(string fingerprintMaterial, ReadOnlySpan<byte> publicKeySpki) =>
        string.Join('-', Words(fingerprintMaterial, publicKeySpki));

    /// <summary><see cref="Compute(string, ReadOnlySpan{byte})"/> for a Base64 SPKI.</summary>
    /// <exception cref="FormatException">The public key is not Base64.</exception>
    public static string Compute(string fingerprintMaterial, string publicKeySpkiBase64) =>
        Compute(fingerprintMaterial, Convert.FromBase64String(publicKeySpkiBase64));

    /// <summary>Whether a typed phrase names the same words (case, spaces and hyphens between words do not matter).</summary>
    public static bool Matches(string expected, string typed)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(typed);
        static string Normalize(string s) => string.Join('-', s.Split([' ', '-', '\t', ','], StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        return string.Equals(Normalize(expected), Normalize(typed), StringComparison.Ordinal);
    }

    /// <summary>The clients' <c>hashPhrase</c>: words of the EFF long list drawn from a hash, least significant first.</summary>
    public static IReadOnlyList<string> HashPhrase(ReadOnlySpan<byte> hash)
    {
        var words = EffWordList.Words;
        var entropyPerWord = Math.Log2(words.Count);
        var count = (int)Math.Ceiling(MinimumEntropyBits / entropyPerWord);

        // The clients' own bound: four bits of entropy counted per byte of hash.
        if (count * entropyPerWord > hash.Length * 4)
        {
            throw new ArgumentException("Output entropy of hash function is too small.", nameof(hash));
        }

        var number = new BigInteger(hash, isUnsigned: true, isBigEndian: true);
        var phrase = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            number = BigInteger.DivRem(number, words.Count, out var remainder);
            phrase.Add(words[(int)remainder]);
        }

        return phrase;
    }
}
