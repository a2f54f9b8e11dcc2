using System.Text;
using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Tests;

/// <summary>Known-answer tests for RFC 4226 HOTP and RFC 6238 TOTP (SHA-1), and the protocol doc's §2.5 example.</summary>
public sealed class TotpTests
{
    // RFC 4226 Appendix D and RFC 6238 Appendix B: the ASCII secret "12345678901234567890".
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(0, "755224")]
    [InlineData(1, "287082")]
    [InlineData(2, "359152")]
    [InlineData(3, "969429")]
    [InlineData(4, "338314")]
    [InlineData(5, "254676")]
    [InlineData(6, "287922")]
    [InlineData(7, "162583")]
    [InlineData(8, "399871")]
    [InlineData(9, "520489")]
    public void Hotp_MatchesRfc4226AppendixD(long counter, string expected) =>
        Assert.Equal(expected, Totp.Hotp(RfcSecret, counter));

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Compute_MatchesRfc6238AppendixB_Sha1_EightDigits(long unixSeconds, string expected) =>
        Assert.Equal(expected, Totp.Compute(RfcSecret, DateTimeOffset.FromUnixTimeSeconds(unixSeconds), digits: 8));

    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1111111111L, "050471")]
    [InlineData(1234567890L, "005924")]
    [InlineData(2000000000L, "279037")]
    [InlineData(20000000000L, "353130")]
    public void Compute_Rfc6238Vectors_TruncatedToSixDigits(long unixSeconds, string expected) =>
        Assert.Equal(expected, Totp.Compute(RfcSecret, DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));

    public static TheoryData<string, long, string> SharedVectors
    {
        get
        {
            var data = new TheoryData<string, long, string>();
            foreach (var (secret, unixTime, code) in ProtocolVectors.Totp())
            {
                data.Add(secret, unixTime, code);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(SharedVectors))]
    public void Compute_SharedVectors_GiveTheirCodes(string secretBase32, long unixSeconds, string expected) =>
        Assert.Equal(expected, Totp.Compute(Base32.Decode(secretBase32), DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));

    [Fact]
    public void Compute_ProtocolDocExample_Gives324550() =>
        Assert.Equal("324550", Totp.Compute(Base32.Decode("JBSWY3DPEHPK3PXP"), DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(29L, 0L)]
    [InlineData(30L, 1L)]
    [InlineData(59L, 1L)]
    [InlineData(1_700_000_000L, 56_666_666L)]
    public void TimeStep_Counts30SecondStepsFromTheEpoch(long unixSeconds, long step) =>
        Assert.Equal(step, Totp.TimeStep(DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));

    [Theory]
    [InlineData(-30, true)]
    [InlineData(0, true)]
    [InlineData(30, true)]
    [InlineData(-60, false)]
    [InlineData(60, false)]
    public void Verify_AcceptsOneStepEitherSide_AndNoMore(int codeOffsetSeconds, bool accepted)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_010);
        var code = Totp.Compute(RfcSecret, now.AddSeconds(codeOffsetSeconds));

        var step = Totp.Verify(RfcSecret, code, now);

        Assert.Equal(accepted, step is not null);
        if (accepted)
        {
            Assert.Equal(Totp.TimeStep(now.AddSeconds(codeOffsetSeconds)), step);
        }
    }

    [Fact]
    public void Verify_RefusesAStepAtOrBeforeTheLastUsedOne()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_010);
        var code = Totp.Compute(RfcSecret, now);
        var step = Totp.TimeStep(now);

        Assert.Null(Totp.Verify(RfcSecret, code, now, lastUsedStep: step));
        Assert.Null(Totp.Verify(RfcSecret, code, now, lastUsedStep: step + 1));
        Assert.Equal(step, Totp.Verify(RfcSecret, code, now, lastUsedStep: step - 1));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12345a")]
    [InlineData(" 123456")]
    [InlineData("１２３４５６")]
    public void Verify_RefusesMalformedCodes(string? code) =>
        Assert.Null(Totp.Verify(RfcSecret, code, DateTimeOffset.FromUnixTimeSeconds(59)));

    [Fact]
    public void Verify_RefusesTheCodeOfAnotherSecret()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_010);
        Assert.Null(Totp.Verify(Totp.NewSecret(), Totp.Compute(RfcSecret, now), now));
    }

    [Fact]
    public void NewSecret_Is20RandomBytes()
    {
        var a = Totp.NewSecret();
        Assert.Equal(20, a.Length);
        Assert.NotEqual(a, Totp.NewSecret());
        Assert.Equal(32, Base32.Encode(a).Length);
    }

    [Fact]
    public void OtpAuthUri_EscapesTheAccountAndCarriesIssuerAndSecret() =>
        Assert.Equal(
            "otpauth://totp/Coffer:a%2Bb%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Coffer",
            Totp.OtpAuthUri("Coffer", "a+b@example.com", "JBSWY3DPEHPK3PXP"));
}
