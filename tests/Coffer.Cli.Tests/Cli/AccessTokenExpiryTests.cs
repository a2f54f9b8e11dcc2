namespace Coffer.Cli.Tests.Cli;

public sealed class AccessTokenExpiryTests
{
    [Fact]
    public void AccessTokenExpiry_ReadsExpFromTheJwtPayload()
    {
        // {"sub":"x","exp":1795289383} base64url-encoded, unpadded, with a dummy signature.
        var payload = Convert.ToBase64String("""{"sub":"x","exp":1795289383}"""u8).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795289383), CliContext.AccessTokenExpiry($"eyJhbGciOiJIUzI1NiJ9.{payload}.sig"));
        Assert.Null(CliContext.AccessTokenExpiry("opaque-token"));
    }
}
