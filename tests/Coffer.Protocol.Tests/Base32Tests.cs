using System.Text;
using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Tests;

/// <summary>RFC 4648 §10 test vectors, and the lenient-but-strict input rules of <see cref="Base32"/>.</summary>
public sealed class Base32Tests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Encode_MatchesRfc4648Section10_WithoutPadding(string plain, string encoded) =>
        Assert.Equal(encoded, Base32.Encode(Encoding.ASCII.GetBytes(plain)));

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY======")]
    [InlineData("fo", "MZXQ====")]
    [InlineData("foo", "MZXW6===")]
    [InlineData("foob", "MZXW6YQ=")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI======")]
    public void Decode_ReadsRfc4648Section10_WithPadding(string plain, string encoded) =>
        Assert.Equal(plain, Encoding.ASCII.GetString(Base32.Decode(encoded)));

    [Theory]
    [InlineData("mzxw6ytboi")]
    [InlineData("MZXW 6YTB OI")]
    [InlineData(" mzxw6YTBoi====== ")]
    public void Decode_ToleratesLowerCaseSpacesAndPadding(string encoded) =>
        Assert.Equal("foobar", Encoding.ASCII.GetString(Base32.Decode(encoded)));

    [Theory]
    [InlineData("MZXW6YTB0I")] // '0' is not in the alphabet
    [InlineData("MZXW6YTB1I")]
    [InlineData("MZXW6YTB8I")]
    [InlineData("MZXW-6YTB")]
    [InlineData("MZXW6YTB\tOI")]
    [InlineData("MZ=XW6YTB")] // padding in the middle
    [InlineData("M")] // 1, 3 or 6 symbols in the last group cannot encode whole bytes
    [InlineData("MZX")]
    [InlineData("MZXW6Y")]
    [InlineData("MZ")] // decodes to "f" only if the 2 pad bits are zero: "MY" is canonical
    [InlineData("MZXR")]
    [InlineData("ÄZXW6YTB")]
    public void Decode_RefusesBadBase32(string encoded)
    {
        Assert.False(Base32.TryDecode(encoded, out var data));
        Assert.Empty(data);
        Assert.Throws<FormatException>(() => Base32.Decode(encoded));
    }

    [Fact]
    public void Decode_RefusesNull() => Assert.False(Base32.TryDecode(null, out _));

    [Fact]
    public void RoundTrips_RandomData()
    {
        for (var length = 0; length < 40; length++)
        {
            var data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
            Assert.Equal(data, Base32.Decode(Base32.Encode(data)));
        }
    }
}
