using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// Bad input is the client's fault and never a 500: each case here once was, found by fuzzing. The answer is a 4xx
/// in the route family's error format (Bitwarden's error JSON under /api and /identity).
/// </summary>
public sealed class BadInputTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    public static TheoryData<string> EmailRoutes => new()
    {
        "/identity/accounts/prelogin",
        "/identity/accounts/prelogin/password",
        "/identity/accounts/register/send-verification-email",
        "/api/two-factor/send-email-login",
        "/api/two-factor/get-authenticator",
        "/api/two-factor/authenticator",
    };

    [Theory]
    [MemberData(nameof(EmailRoutes))]
    public async Task JsonBody_WithInvalidUtf8_Returns4xxNot500(string route)
    {
        byte[] body = [.. "{\"email\":\""u8, 0xC3, 0x28, 0xFF, .. "@example.com\",\"masterPasswordHash\":\"x\"}"u8];

        using var response = await SendBytesAsync(factory.CreateClient(), route, body, "application/json");

        await ExpectClientErrorAsync(response);
    }

    [Theory]
    [MemberData(nameof(EmailRoutes))]
    public async Task JsonBody_WithLoneSurrogate_Returns4xxNot500(string route)
    {
        using var response = await SendBytesAsync(factory.CreateClient(), route, "{\"email\":\"\\ud800\"}"u8.ToArray(), "application/json");

        await ExpectClientErrorAsync(response);
    }

    [Theory]
    [MemberData(nameof(EmailRoutes))]
    public async Task JsonBody_WithLoneSurrogateInAKey_Returns4xxNot500(string route)
    {
        using var response = await SendBytesAsync(factory.CreateClient(), route, "{\"\\udc00mail\":\"a@example.com\"}"u8.ToArray(), "application/json");

        await ExpectClientErrorAsync(response);
    }

    [Theory]
    [MemberData(nameof(EmailRoutes))]
    public async Task JsonBody_WithNulCharacter_Returns4xxNot500(string route)
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await SendBytesAsync(account.Client, route, "{\"email\":\"\\u0000\",\"name\":\"a\\u0000b\"}"u8.ToArray(), "application/json");

        await ExpectClientErrorAsync(response);
    }

    [Theory]
    [InlineData("/api/folders", "application/json; charset=ebcdic")]
    [InlineData("/api/ciphers", "application/json; charset=no-such-charset")]
    [InlineData("/api/folders", "application/json; charset=utf-16")]
    [InlineData("/identity/accounts/prelogin", "application/json; charset=ebcdic")]
    [InlineData("/identity/accounts/register/finish", "application/json; charset=\"x\"")]
    [InlineData("/api/folders", "application/json; charset=\"utf-8\"")]
    public async Task JsonBody_WithUnknownOrNonUtf8Charset_Returns415BitwardenError(string route, string contentType)
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await SendBytesAsync(account.Client, route, Encoding.UTF8.GetBytes(Payloads.Folder().ToJsonString()), contentType);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task JsonBody_WithUtf8Charset_IsAccepted()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await SendBytesAsync(account.Client, "/api/folders", Encoding.UTF8.GetBytes(Payloads.Folder().ToJsonString()), "application/json; charset=UTF-8");

        await response.ExpectSuccessAsync();
    }

    [Theory]
    [InlineData("username=a%00b&password=x&grant_type=password")]
    [InlineData("grant_type=pass%00word")]
    [InlineData("grant_%00type=password")]
    public async Task TokenForm_WithNulCharacter_Returns400(string form)
    {
        using var response = await SendBytesAsync(factory.CreateClient(), "/identity/connect/token", Encoding.ASCII.GetBytes(form), "application/x-www-form-urlencoded");

        await ExpectClientErrorAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("multipart/form-data", "grant_type=password")]
    [InlineData("multipart/form-data; boundary=xyz", "not a multipart body at all")]
    [InlineData("multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n--xyz--\r\n")]
    public async Task TokenRequest_WithMultipartContentType_Returns400(string contentType, string body)
    {
        using var response = await SendBytesAsync(factory.CreateClient(), "/identity/connect/token", Encoding.ASCII.GetBytes(body), contentType);

        var error = await response.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request", (string?)error["error"]);
    }

    [Theory]
    [InlineData("TRACE")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task TokenRoute_WithWrongMethodAndAFormBody_Returns405BitwardenError(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/identity/connect/token")
        {
            Content = new ByteArrayContent(Encoding.ASCII.GetBytes("not a multipart body")),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");

        using var response = await factory.CreateClient().SendAsync(request);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Theory]
    [InlineData("end=0001-01-01T00:00:00")]
    [InlineData("start=0001-01-01T00:00:00")]
    [InlineData("start=0001-01-01T00:00:00&end=0001-01-05T00:00:00")]
    [InlineData("end=9999-12-31T23:59:59")]
    [InlineData("start=9999-12-31T23:59:59&end=9999-12-31T23:59:59")]
    [InlineData("end=0001-01-01T00:00:00%2B01:00")]
    public async Task Events_WithOutOfRangeDate_Returns400(string query)
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");

        using var userEvents = await account.Client.GetAsync("/api/events?" + query);
        using var cipherEvents = await account.Client.GetAsync($"/api/ciphers/{cipherId}/events?" + query);

        await userEvents.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await cipherEvents.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("users/confirm", "{\"keys\":[{\"id\":\"00000000-0000-0000-0000-000000000001\",\"key\":\"4.AAAA\"},null]}")]
    [InlineData("users/invite", "{\"emails\":[\"a@example.com\"],\"type\":2,\"collections\":[null],\"groups\":[]}")]
    [InlineData("users/invite", "{\"emails\":[null],\"type\":2,\"collections\":[],\"groups\":[]}")]
    [InlineData("groups", "{\"name\":\"g\",\"collections\":[null],\"users\":[]}")]
    [InlineData("collections", "{\"name\":\"2.AAAA|AAAA|AAAA\",\"groups\":[null],\"users\":[]}")]
    public async Task OrganizationListBody_WithANullElement_Returns400Not500(string route, string body)
    {
        var organization = await Organizations.OrgHarness.CreateAsync(factory);

        using var response = await SendBytesAsync(organization.Owner.Client, $"/api/organizations/{organization.Id}/{route}", Encoding.UTF8.GetBytes(body), "application/json");

        await ExpectClientErrorAsync(response, HttpStatusCode.BadRequest);
    }

    private static async Task<HttpResponseMessage> SendBytesAsync(HttpClient client, string route, byte[] body, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return await client.SendAsync(request);
    }

    private static async Task ExpectClientErrorAsync(HttpResponseMessage response, HttpStatusCode? expected = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{response.RequestMessage?.RequestUri}: {status} {text}");
        if (expected is { } code)
        {
            Assert.Equal(code, response.StatusCode);
        }

        HttpExtensions.AssertJsonContentType(response);
    }
}
