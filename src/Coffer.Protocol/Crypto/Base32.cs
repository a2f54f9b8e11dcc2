namespace Coffer.Protocol.Crypto;

/// <summary>
/// RFC 4648 §6 Base32 (alphabet <c>A–Z2–7</c>), the encoding of TOTP secrets in authenticator apps and in
/// Bitwarden's <c>key</c> field (protocol account doc §2.3). Output is upper case without padding.
/// Input is read leniently where people and apps differ (lower case, spaces, trailing <c>=</c> padding) and
/// strictly otherwise: any other character, an impossible length, or non-zero pad bits (RFC 4648 §3.5) is refused,
/// so one secret has exactly one accepted spelling up to case and spacing.
/// </summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>Encodes <paramref name="data"/>: 8 characters per 5 bytes, no padding.</summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        var output = new char[((data.Length * 8) + 4) / 5];
        var buffer = 0;
        var bits = 0;
        var index = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                output[index++] = Alphabet[(buffer >> bits) & 31];
            }
        }

        if (bits > 0)
        {
            output[index++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(output, 0, index);
    }

    /// <summary>Decodes, or returns false for anything that is not canonical Base32 (see the type summary).</summary>
    public static bool TryDecode(string? text, out byte[] data)
    {
        data = [];
        if (text is null)
        {
            return false;
        }

        var symbols = new List<int>(text.Length);
        var padding = false;
        foreach (var c in text)
        {
            if (c == ' ')
            {
                continue;
            }

            if (c == '=')
            {
                padding = true;
                continue;
            }

            var value = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a',
                >= '2' and <= '7' => c - '2' + 26,
                _ => -1,
            };

            // Padding only ever ends the text; a symbol after '=' means two values were glued together.
            if (value < 0 || padding)
            {
                return false;
            }

            symbols.Add(value);
        }

        // 8 symbols carry 5 bytes; a final group of 1, 3 or 6 symbols cannot come from any byte count.
        if ((symbols.Count % 8) is 1 or 3 or 6)
        {
            return false;
        }

        var output = new byte[symbols.Count * 5 / 8];
        var buffer = 0;
        var bits = 0;
        var index = 0;
        foreach (var symbol in symbols)
        {
            buffer = ((buffer << 5) | symbol) & 0xFFFF;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output[index++] = (byte)(buffer >> bits);
            }
        }

        if ((buffer & ((1 << bits) - 1)) != 0)
        {
            return false;
        }

        data = output;
        return true;
    }

    /// <summary>Decodes or throws <see cref="FormatException"/>.</summary>
    public static byte[] Decode(string text) =>
        TryDecode(text, out var data) ? data : throw new FormatException("The value is not valid Base32 (RFC 4648).");
}
