using System.Net;

namespace Coffer.Client.Tests.Client;

public class ErrorAndChallengeParsingTests
{
    [Theory]
    [InlineData("""{"message":"Cipher doesn't exist","validationErrors":{"":["Cipher doesn't exist"]},"errorModel":{"message":"Cipher doesn't exist","object":"error"}}""", "Cipher doesn't exist")]
    [InlineData("""{"ErrorModel":{"Message":"Username or password is incorrect. Try again."},"message":"other"}""", "Username or password is incorrect. Try again.")]
    [InlineData("""{"validationErrors":{"Name":["The field Name must be a string."]}}""", "The field Name must be a string.")]
    [InlineData("""{"error":"invalid_grant","error_description":"Refresh token is invalid."}""", "Refresh token is invalid.")]
    [InlineData("""{"type":"about:blank","title":"Bad Request","detail":"Folder name is too long."}""", "Folder name is too long.")]
    [InlineData("<html>bad gateway</html>", "The server answered 502 BadGateway.")]
    public void FromResponse_TakesTheMessageTheOfficialClientsShow(string body, string expected)
    {
        var status = body.StartsWith('<') ? HttpStatusCode.BadGateway : HttpStatusCode.BadRequest;
        Assert.Equal(expected, CofferApiException.FromResponse(status, body).Message);
    }

    [Fact]
    public void FromResponse_KeepsTheOAuthErrorCode() =>
        Assert.Equal("invalid_grant", CofferApiException.FromResponse(HttpStatusCode.BadRequest, """{"error":"invalid_grant"}""").Error);

    [Fact]
    public void TwoFactorProviders_ReadsTheExactlySpelledChallenge() =>
        Assert.Equal([0, 1], CofferApiClient.TwoFactorProviders(
            """{"error":"invalid_grant","error_description":"Two factor required.","TwoFactorProviders":["0","1"],"TwoFactorProviders2":{"0":null,"1":{"Email":"t***@example.com"}}}"""));

    [Theory]
    [InlineData("""{"twoFactorProviders2":{"0":null}}""")]
    [InlineData("""{"message":"Username or password is incorrect. Try again."}""")]
    [InlineData("not json")]
    public void TwoFactorProviders_IgnoresOtherErrors(string body) => Assert.Null(CofferApiClient.TwoFactorProviders(body));
}
