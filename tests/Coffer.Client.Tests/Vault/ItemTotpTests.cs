using Coffer.Client.Vault;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests.Vault;

public class ItemTotpTests
{
    // RFC 6238 Appendix B's SHA-1 seed, "12345678901234567890", in Base32.
    private const string RfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    [Fact]
    public void Current_OfABase32Secret_IsTotpOfThatSecret_WithTheSecondsLeftInTheStep()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(59);

        var code = ItemTotp.Current(RfcSecret.ToLowerInvariant(), at);

        // RFC 6238 Appendix B: T = 59 s gives 94287082 with 8 digits; 6 digits are its last six.
        Assert.Equal("287082", code.Code);
        Assert.Equal(Totp.Compute(Base32.Decode(RfcSecret), at), code.Code);
        Assert.Equal(1, code.SecondsLeft);
        Assert.Equal(30, code.Period);
    }

    [Fact]
    public void Current_OfAnOtpauthUri_UsesItsDigitsAndPeriod()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1111111109);

        var code = ItemTotp.Current($"otpauth://totp/Example:alice?secret={RfcSecret}&digits=8&period=60&issuer=Example", at);

        Assert.Equal(Totp.Hotp(Base32.Decode(RfcSecret), 1111111109 / 60, 8), code.Code);
        Assert.Equal(8, code.Code.Length);
        Assert.Equal(60 - (1111111109 % 60), code.SecondsLeft);
        Assert.Equal(60, code.Period);
    }

    [Theory]
    [InlineData("not base32!")]
    [InlineData("otpauth://hotp/x?secret=GEZDGNBV&counter=1")]
    [InlineData("otpauth://totp/x?secret=GEZDGNBVGY3TQOJQ&algorithm=SHA256")]
    [InlineData("otpauth://totp/x?secret=GEZDGNBVGY3TQOJQ&digits=12")]
    [InlineData("steam://ABCDEFGH")]
    public void Current_OfAnUnsupportedField_ThrowsWithAReason(string totp) =>
        Assert.Throws<ArgumentException>(() => ItemTotp.Current(totp, DateTimeOffset.UnixEpoch));
}
