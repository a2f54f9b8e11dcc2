using System.Net;
using System.Net.WebSockets;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Notifications;

/// <summary>
/// Every error the hub routes answer before the upgrade is Bitwarden's error JSON, as on /api beside them (issue:
/// one format per route family). A real Kestrel, so that upgrade requests refused with 429 can be read as responses.
/// </summary>
public sealed class HubErrorTests : IAsyncLifetime
{
    private HttpClient client = null!;

    private CofferFactory Factory { get; } = new();

    public Task InitializeAsync()
    {
        Factory.Settings["urls"] = "http://127.0.0.1:0";
        Factory.Settings["Coffer:Notifications:MaxConnectionsPerUser"] = "1";
        Factory.Settings["Coffer:Notifications:MaxAnonymousConnectionsPerAddress"] = "1";
        Factory.UseKestrel();
        Factory.StartServer();
        client = Factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await Factory.DisposeAsync();
    }

    [Fact]
    public async Task Hub_WithoutToken_Returns401AsBitwardenError()
    {
        using var response = await client.SendAsync(Upgrade(HttpMethod.Get, LiveSyncClient.HubPath));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/notifications/hub")]
    [InlineData("/notifications/anonymous-hub?Token=7c9e6679-7425-40de-944b-e07fc1f90ae7")]
    public async Task Hubs_PlainHttpRequest_Returns400AsBitwardenError(string path)
    {
        var account = await TestAccount.CreateAsync(Factory);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", account.AccessToken);

        using var response = await client.SendAsync(request);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AnonymousHub_UpgradeWithoutAuthRequestId_Returns400AsBitwardenError()
    {
        using var response = await client.SendAsync(Upgrade(HttpMethod.Get, "/notifications/anonymous-hub?Token=nope"));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Hubs_UpgradeOverTheBudget_Returns429AsBitwardenError(bool anonymous)
    {
        var account = await TestAccount.CreateAsync(Factory);
        var path = anonymous ? $"/notifications/anonymous-hub?Token={Guid.NewGuid()}" : $"{LiveSyncClient.HubPath}?access_token={account.AccessToken}";
        using var open = new ClientWebSocket();
        await open.ConnectAsync(new Uri($"ws://{client.BaseAddress!.Authority}{path}"), CancellationToken.None);

        using var response = await client.SendAsync(Upgrade(HttpMethod.Get, path));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.TooManyRequests);
    }

    [Theory]
    [InlineData("/notifications/nope")]
    [InlineData("/notifications/hub/nope")]
    public async Task Notifications_UnknownRoute_Returns404AsBitwardenError(string path)
    {
        using var response = await client.GetAsync(path);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/notifications/hub")]
    [InlineData("/notifications/anonymous-hub")]
    public async Task Hubs_WrongMethod_Returns405AsBitwardenError(string path)
    {
        using var response = await client.PutAsync(path, null);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.MethodNotAllowed);
    }

    /// <summary>A WebSocket upgrade request as a browser sends it, over HTTP/1.1, read as a plain response when refused.</summary>
    private static HttpRequestMessage Upgrade(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new("websocket"));
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        return request;
    }
}
