using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// §1.3: bad input on Bitwarden routes is a 400 with Bitwarden's error JSON — never a 500 — and leaves the
/// vault exactly as it was.
/// </summary>
public sealed class ErrorHandlingTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "POST", "/api/folders", "{\"name\":" },
        { "POST", "/api/folders", "not json at all" },
        { "POST", "/api/folders", "{\"name\":\"2.AAAA\"," },
        { "POST", "/api/folders", "" },
        { "POST", "/api/ciphers", "{\"type\":\"x\",\"name\":\"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAA|AAAA\"}" },
        { "POST", "/api/ciphers", "{\"type\":1,\"favorite\":\"yes\"}" },
        { "POST", "/api/ciphers", "{\"type\":1.5}" },
        { "POST", "/api/ciphers", "{\"type\":1,\"login\":[]}" },
        { "POST", "/api/ciphers", "{\"type\":1,\"fields\":{}}" },
        { "POST", "/api/ciphers", "{\"type\":1,\"folderId\":\"not-a-guid\"}" },
        { "POST", "/api/ciphers", "[1,2,3]" },
        { "POST", "/api/ciphers", "{\"type\":1" },
        { "POST", "/api/ciphers", "null" },
        { "POST", "/api/ciphers", "{\"type\":99999999999999999999}" },
        { "POST", "/api/ciphers", "{\"type\":1,\"reprompt\":\"0\"}" },
        { "POST", "/api/ciphers", "{\"type\":1,\"login\":" + new string('[', 300) + new string(']', 300) + "}" },
        { "POST", "/api/ciphers/create", "{\"cipher\":\"x\"}" },
        { "PUT", "/api/ciphers/move", "{\"ids\":\"x\",\"folderId\":null}" },
        { "PUT", "/api/ciphers/move", "{\"ids\":[\"not-a-guid\"],\"folderId\":null}" },
        { "PUT", "/api/ciphers/delete", "{\"ids\":42}" },
        { "PUT", "/api/ciphers/restore", "{\"ids\":[42]}" },
        { "POST", "/api/ciphers/import", "{\"ciphers\":{},\"folders\":[],\"folderRelationships\":[]}" },
        { "POST", "/api/ciphers/import", "{\"ciphers\":[],\"folders\":[],\"folderRelationships\":[{\"key\":\"a\",\"value\":0}]}" },
        { "POST", "/api/accounts/key-management/user-key-id", "{\"userKeyId\":" },
        { "POST", "/identity/accounts/register/finish", "{\"email\":" },
        { "POST", "/identity/accounts/register/send-verification-email", "{\"email\":[]}" },
        { "POST", "/identity/accounts/register", "{\"email\":\"a@example.com\",\"kdf\":\"pbkdf2\"}" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task MalformedOrMistypedJson_Returns400AndChangesNothing(string method, string route, string body)
    {
        var account = await TestAccount.CreateAsync(factory);
        await account.CreateFolderAsync();
        await account.CreateCipherAsync();
        var before = await account.SyncAsync();
        var revision = await account.RevisionDateAsync();

        using var response = await account.Client.SendRawAsync(new HttpMethod(method), route, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.True(JsonNode.DeepEquals(before, await account.SyncAsync()));
        Assert.Equal(revision, await account.RevisionDateAsync());
    }

    public static TheoryData<string, string> BadRouteIds => new()
    {
        { "GET", "/api/ciphers/not-a-guid" },
        { "PUT", "/api/ciphers/not-a-guid" },
        { "PUT", "/api/ciphers/not-a-guid/delete" },
        { "PUT", "/api/ciphers/not-a-guid/restore" },
        { "DELETE", "/api/ciphers/not-a-guid" },
        { "GET", "/api/folders/123" },
        { "PUT", "/api/folders/123" },
        { "DELETE", "/api/folders/123" },
        { "DELETE", "/api/folders/00000000-0000-0000-0000-00000000000g" },
    };

    [Theory]
    [MemberData(nameof(BadRouteIds))]
    public async Task InvalidGuidInRoute_Returns400(string method, string route)
    {
        var account = await TestAccount.CreateAsync(factory);
        var body = method == "PUT" && !route.EndsWith("/delete", StringComparison.Ordinal) && !route.EndsWith("/restore", StringComparison.Ordinal)
            ? (route.StartsWith("/api/folders", StringComparison.Ordinal) ? Payloads.Folder() : Payloads.LoginCipher()).ToJsonString()
            : null;

        using var response = body is null
            ? await account.Client.SendEmptyAsync(new HttpMethod(method), route)
            : await account.Client.SendRawAsync(new HttpMethod(method), route, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("POST", "/api/folders")]
    [InlineData("POST", "/api/ciphers")]
    [InlineData("POST", "/identity/accounts/register/finish")]
    [InlineData("POST", "/identity/accounts/prelogin/password")]
    public async Task BodyOverOneMebibyte_Returns413(string method, string route)
    {
        var account = await TestAccount.CreateAsync(factory);
        var json = $"{{\"name\":\"{Fake.EncString()}\",\"padding\":\"{new string('A', 1024 * 1024 + 16)}\"}}";

        using var response = await account.Client.SendRawAsync(new HttpMethod(method), route, json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty((await account.SyncAsync()).RequireArray("folders"));
    }

    [Fact]
    public async Task BodyJustUnderOneMebibyte_IsNotRefusedForSize()
    {
        var account = await TestAccount.CreateAsync(factory);
        var json = $"{{\"name\":\"{Fake.EncString()}\",\"padding\":\"{new string('A', 1000 * 1000)}\"}}";

        using var response = await account.Client.SendRawAsync(HttpMethod.Post, "/api/folders", json);

        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.True((int)response.StatusCode < 500);
    }

    [Theory]
    [InlineData("GET", "/api/nothing-here")]
    [InlineData("POST", "/api/ciphers/00000000-0000-0000-0000-000000000001/nothing")]
    [InlineData("GET", "/api/sync/extra")]
    public async Task UnknownApiRoute_Returns404Json(string method, string route)
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.SendEmptyAsync(new HttpMethod(method), route);

        await response.ExpectJsonAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnknownApiRoute_WithoutToken_Returns404JsonOr401()
    {
        using var response = await factory.CreateClient().GetAsync("/api/nothing-here");

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.Unauthorized });
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    public async Task WrongContentType_IsAClientErrorNotAServerError(string contentType)
    {
        var account = await TestAccount.CreateAsync(factory);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/folders")
        {
            Content = new StringContent(Payloads.Folder().ToJsonString(), System.Text.Encoding.UTF8, contentType),
        };

        using var response = await account.Client.SendAsync(request);

        Assert.InRange((int)response.StatusCode, 200, 499);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task InvalidUtf8Body_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var bytes = "{\"name\":\"2."u8.ToArray().Concat(new byte[] { 0xC3, 0x28, 0xFF }).Concat("\"}"u8.ToArray()).ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };

        using var response = await account.Client.PostAsync("/api/folders", content);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await account.SyncAsync()).RequireArray("folders"));
    }

    [Fact]
    public async Task ErrorBodies_NeverEchoTheMasterPasswordHash()
    {
        var account = Credentials.New();
        var client = factory.CreateClient();
        await IdentityApi.RegisterAsync(client, account);
        var wrong = Fake.MasterPasswordHash();

        using var response = await IdentityApi.PasswordGrantAsync(client, account.Email, wrong, Fake.DeviceIdentifier());
        var text = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain(wrong, text, StringComparison.Ordinal);
        Assert.DoesNotContain(account.MasterPasswordHash, text, StringComparison.Ordinal);
    }
}
