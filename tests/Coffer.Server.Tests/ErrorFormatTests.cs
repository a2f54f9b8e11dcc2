using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Server.Hosting;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// Every error on a route family has that family's one format: Bitwarden's error JSON under /api and /identity,
/// RFC 9457 problem details on Coffer's own routes; statuses the framework answers itself included.
/// </summary>
public sealed class ErrorFormatTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    public static TheoryData<string, string, string, int> Cases => new()
    {
        // family prefix, method, route, expected status
        { "api", "GET", "/api/no-such-route", 404 },
        { "identity", "GET", "/identity/no-such-route", 404 },
        { "own", "GET", "/admin/api/no-such-route", 404 },
        { "api", "PATCH", "/api/sync", 405 },
        { "identity", "TRACE", "/identity/connect/token", 405 },
        { "identity", "GET", "/identity/accounts/prelogin", 405 },
        { "own", "POST", "/alive", 405 },
        { "api", "POST", "/api/folders?" + new string('a', RequestDeadlines.MaxTargetBytes), 414 },
        { "identity", "POST", "/identity/accounts/prelogin?" + new string('a', RequestDeadlines.MaxTargetBytes), 414 },
        { "own", "GET", "/alive?" + new string('a', RequestDeadlines.MaxTargetBytes), 414 },
        { "api", "POST", "/api/folders#big", 413 },
        { "identity", "POST", "/identity/accounts/prelogin#big", 413 },
        { "own", "POST", "/admin/api/invitations#big", 413 },
        { "api", "POST", "/api/folders#xml", 415 },
        { "identity", "POST", "/identity/accounts/prelogin#xml", 415 },
        { "own", "POST", "/admin/api/invitations#xml", 415 },
        { "api", "GET", "/api/sync#headers", 431 },
        { "identity", "GET", "/identity/connect/token#headers", 431 },
        { "own", "GET", "/alive#headers", 431 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ErrorStatus_HasItsRouteFamilysFormat(string family, string method, string route, int status)
    {
        var account = await TestAccount.CreateAsync(factory);
        var path = route.Split('#')[0];
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = account.Client.DefaultRequestHeaders.Authorization;
        switch (route.Split('#').ElementAtOrDefault(1))
        {
            case "big":
                request.Content = new StringContent($"{{\"email\":\"{new string('a', 2 * 1024 * 1024)}\"}}", Encoding.UTF8, "application/json");
                break;
            case "xml":
                request.Content = new StringContent("<email>a@example.com</email>", Encoding.UTF8, "application/xml");
                break;
            case "headers":
                for (var i = 0; i < 40; i++)
                {
                    request.Headers.TryAddWithoutValidation($"X-Padding-{i}", new string('p', 1024));
                }

                break;
        }

        using var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        if (family == "own")
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = Assert.IsType<JsonObject>(await response.ReadJsonAsync());
            Assert.Equal(status, (int?)problem["status"]);
            Assert.False(string.IsNullOrEmpty((string?)problem["detail"] ?? (string?)problem["title"]));
        }
        else
        {
            await response.ExpectBitwardenErrorAsync((HttpStatusCode)status);
        }
    }

    [Theory]
    [InlineData("/api/ciphers", "{\"type\":1,\"login\":[]}")]
    [InlineData("/api/ciphers", "[1,2,3]")]
    [InlineData("/api/ciphers", "{\"type\":\"x\"}")]
    [InlineData("/api/folders", "{\"name\":{}}")]
    [InlineData("/api/ciphers/import", "{\"ciphers\":{},\"folders\":[]}")]
    [InlineData("/api/ciphers", "{\"type\":1")]
    [InlineData("/api/ciphers", "")]
    public async Task BadRequestMessage_NeverNamesInternalTypes(string route, string body)
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.SendRawAsync(HttpMethod.Post, route, body);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        var text = (string)error["message"]! + " " + error["validationErrors"]?.ToJsonString();
        Assert.DoesNotContain("Coffer.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Model", text, StringComparison.Ordinal);
    }
}

/// <summary>A request whose body trickles in is ended at the whole-request deadline, not held open for hours.</summary>
public sealed class RequestDeadlineTests
{
    [Fact]
    public async Task BodyTricklingSlowerThanTheDeadline_IsEndedWith408()
    {
        await using var factory = new CofferFactory();
        factory.Settings["Coffer:RequestTimeoutSeconds"] = "2";
        var account = await TestAccount.CreateAsync(factory);
        // 8 seconds of body against a 2-second deadline. A request allowed to finish would create the folder (200);
        // the test client itself keeps sending to the end before it returns the server's answer.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/folders") { Content = new TrickleContent(TimeSpan.FromMilliseconds(200), chunks: 40) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");

        using var response = await account.Client.SendAsync(request);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.RequestTimeout);
        Assert.Empty((await account.SyncAsync()).RequireArray("folders"));
    }

    [Fact]
    public async Task BodyArrivingWithinTheDeadline_IsHandled()
    {
        await using var factory = new CofferFactory();
        factory.Settings["Coffer:RequestTimeoutSeconds"] = "5";
        var account = await TestAccount.CreateAsync(factory);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/folders") { Content = new TrickleContent(TimeSpan.FromMilliseconds(50), chunks: 5) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");

        using var response = await account.Client.SendAsync(request);

        await response.ExpectSuccessAsync();
    }

    // A folder body sent a few bytes at a time: padding spaces every delay, then the JSON.
    private sealed class TrickleContent(TimeSpan delay, int chunks) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var i = 0; i < chunks; i++)
            {
                await stream.WriteAsync("  "u8.ToArray());
                await stream.FlushAsync();
                await Task.Delay(delay);
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes(Payloads.Folder().ToJsonString()));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
