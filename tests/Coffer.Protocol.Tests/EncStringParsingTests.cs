using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Tests;

public sealed class EncStringParsingTests
{
    private const string Iv = "EBESExQVFhcYGRobHB0eHw==";                         // 16 bytes
    private const string Ct = "19uTEO+jRM10UBP+ispCIUz8VEHlXprzd11N7YirwJ0=";     // 32 bytes
    private const string Mac = "RcTZUAN3R2QrOF23pffDeCPXTJop7Fl7qfQWAGXCS0E=";    // 32 bytes

    public static TheoryData<string?, string> Malformed => new()
    {
        { null, "null" },
        { "", "empty" },
        { "2", "type only" },
        { "2.", "nothing after the dot" },
        { $"{Iv}|{Ct}|{Mac}", "no dot (legacy untyped form)" },
        { $"1.{Iv}|{Ct}|{Mac}", "type 1 does not exist" },
        { $"8.{Ct}", "unknown type 8" },
        { $"9.{Ct}", "unknown type 9" },
        { $"02.{Iv}|{Ct}|{Mac}", "leading zero in the type" },
        { $"22.{Iv}|{Ct}|{Mac}", "two-digit type" },
        { $"a.{Iv}|{Ct}|{Mac}", "non-numeric type" },
        { $"-2.{Iv}|{Ct}|{Mac}", "signed type" },
        { $"2.{Iv}|{Ct}", "type 2 missing the MAC" },
        { $"2.{Iv}|{Ct}|{Mac}|{Mac}", "type 2 with an extra part" },
        { $"2.{Iv}|{Ct}|", "type 2 with an empty MAC" },
        { $"2.|{Ct}|{Mac}", "type 2 with an empty IV" },
        { $"2.{Iv}||{Mac}", "type 2 with an empty ciphertext" },
        { $"2.AAAAAAAAAAAAAAAAAAAA|{Ct}|{Mac}", "15-byte IV" },
        { $"2.AAAAAAAAAAAAAAAAAAAAAAAA|{Ct}|{Mac}", "18-byte IV" },
        { $"2.{Iv}|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA|{Mac}", "33-byte ciphertext" },
        { $"2.{Iv}|AAAAAAAAAAAAAAAAAAAA|{Mac}", "15-byte ciphertext" },
        { $"2.{Iv}|{Ct}|AAAAAAAAAAAAAAAAAAAAAA==", "16-byte MAC" },
        { $"2.{Iv}|{Ct}|{Mac}AAAA", "35-byte MAC" },
        { $"2.{Iv}|{Ct}|RcTZUAN3R2QrOF23pffDeCPXTJop7Fl7qfQWAGXCS0E", "MAC missing its padding" },
        { $"2.{Iv}|{Ct}|RcTZUAN3R2QrOF23pffDeCPXTJop7Fl7qfQWAGXCS0F=", "MAC with non-zero padding bits" },
        { $"2.{Iv}|19uTEO-jRM10UBP-ispCIUz8VEHlXprzd11N7YirwJ0=|{Mac}", "URL-safe Base64" },
        { $"2.{Iv}|{Ct}|!!!!UAN3R2QrOF23pffDeCPXTJop7Fl7qfQWAGXCS0E=", "not Base64" },
        { $" 2.{Iv}|{Ct}|{Mac}", "leading space" },
        { $"2.{Iv}|{Ct}|{Mac} ", "trailing space" },
        { $"2.{Iv}|{Ct}|{Mac}\n", "trailing newline" },
        { $"2. {Iv}|{Ct}|{Mac}", "space after the dot" },
        { $"2.{Iv} |{Ct}|{Mac}", "space before a separator" },
        { $"2.{Iv}|19uTEO+jRM10UBP+ ispCIUz8VEHlXprzd11N7YirwJ0=|{Mac}", "space inside a part" },
        { $"0.{Iv}", "type 0 without ciphertext" },
        { $"0.{Iv}|{Ct}|{Mac}", "type 0 with a MAC" },
        { $"0.AAAA|{Ct}", "type 0 with a 3-byte IV" },
        { "3.", "type 3 empty" },
        { $"3.{Ct}|{Mac}", "type 3 with two parts" },
        { $"4.{Ct}|{Mac}", "type 4 with two parts" },
        { $"5.{Ct}", "type 5 with one part" },
        { $"6.{Ct}|{Mac}|{Mac}", "type 6 with three parts" },
        { $"7.{Ct}|{Mac}", "type 7 with two parts" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryParse_RefusesMalformedEncString(string? value, string why)
    {
        Assert.False(EncString.TryParse(value, out var result), why);
        Assert.Null(result);
    }

    public static TheoryData<string, EncryptionType> WellFormed => new()
    {
        { $"2.{Iv}|{Ct}|{Mac}", EncryptionType.AesCbc256_HmacSha256_B64 },
        { ProtocolVectors.ProtectedUserKey.EncString, EncryptionType.AesCbc256_HmacSha256_B64 },
        { $"0.{Iv}|{Ct}", EncryptionType.AesCbc256_B64 },
        { $"3.{Ct}", EncryptionType.Rsa2048_OaepSha256_B64 },
        { $"4.{Ct}", EncryptionType.Rsa2048_OaepSha1_B64 },
        { $"5.{Ct}|{Mac}", EncryptionType.Rsa2048_OaepSha256_HmacSha256_B64 },
        { $"6.{Ct}|{Mac}", EncryptionType.Rsa2048_OaepSha1_HmacSha256_B64 },
        { $"7.{Ct}", EncryptionType.CoseEncrypt0 },
    };

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void TryParse_AcceptsEachTypeAndRoundTripsExactly(string value, EncryptionType type)
    {
        Assert.True(EncString.TryParse(value, out var result));
        Assert.Equal(type, result.Type);
        Assert.Equal(value, result.ToString());
    }

    [Fact]
    public void TypesWithoutIvOrMac_HaveEmptyIvAndMac()
    {
        var rsa = EncString.Parse($"4.{Ct}");

        Assert.True(rsa.Iv.IsEmpty);
        Assert.True(rsa.Mac.IsEmpty);
        Assert.Equal(32, rsa.Data.Length);
    }
}
