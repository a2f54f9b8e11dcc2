using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Notifications;

/// <summary>Who may connect to the hubs, and how connections that break the rules end (notifications doc §2, §3).</summary>
public sealed class HubConnectionTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private CofferFactory Factory => fixture.Factory;

    [Fact]
    public async Task Hub_WithoutToken_RefusesTheUpgradeWith401()
    {
        Assert.Equal(401, await HubClient.RefusedStatusAsync(Factory, HubClient.HubPath));
    }

    [Theory]
    [InlineData("tampered signature")]
    [InlineData("signed with another key")]
    [InlineData("garbage")]
    [InlineData("refresh token")]
    public async Task Hub_WithForgedToken_RefusesTheUpgradeWith401(string defect)
    {
        var account = await TestAccount.CreateAsync(Factory);
        var parts = account.AccessToken.Split('.');
        var token = defect switch
        {
            "tampered signature" => $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}",
            "signed with another key" => $"{parts[0]}.{parts[1]}." + System.Buffers.Text.Base64Url.EncodeToString(
                HMACSHA256.HashData(RandomNumberGenerator.GetBytes(64), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"))),
            "garbage" => "not.a.jwt",
            _ => account.RefreshToken,
        };

        Assert.Equal(401, await HubClient.RefusedStatusAsync(Factory, $"{HubClient.HubPath}?access_token={Uri.EscapeDataString(token)}"));
        Assert.Equal(401, await HubClient.RefusedStatusAsync(Factory, HubClient.HubPath, bearer: token));
    }

    [Fact]
    public async Task Hub_WithTokenOfEndedSession_RefusesTheUpgradeWith401()
    {
        var account = await TestAccount.CreateAsync(Factory);
        using var response = await account.Client.PostJsonAsync(AccountChanges.SecurityStampUrl, AccountChanges.Secret(account.Credentials.MasterPasswordHash));
        await response.ExpectSuccessAsync();

        Assert.Equal(401, await HubClient.RefusedStatusAsync(Factory, $"{HubClient.HubPath}?access_token={account.AccessToken}"));
    }

    [Fact]
    public async Task Hub_WithExpiredToken_RefusesTheUpgradeWith401()
    {
        // A factory of its own: moving the clock would expire the other tests' tokens.
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        factory.Clock.Advance(TimeSpan.FromHours(2));

        Assert.Equal(401, await HubClient.RefusedStatusAsync(factory, $"{HubClient.HubPath}?access_token={account.AccessToken}"));
    }

    [Fact]
    public async Task AccessTokenInQuery_IsNotAcceptedByTheApi()
    {
        var account = await TestAccount.CreateAsync(Factory);

        using var response = await Factory.CreateClient().GetAsync($"/api/sync?access_token={account.AccessToken}");

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Hub_PlainHttpRequest_Returns400()
    {
        var account = await TestAccount.CreateAsync(Factory);

        using var response = await account.Client.GetAsync(HubClient.HubPath);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Hub_BeyondTheConnectionsPerUser_RefusesTheUpgradeWith429_UntilOneCloses()
    {
        var account = await TestAccount.CreateAsync(Factory);
        var open = new List<HubClient>();
        for (var i = 0; i < 3; i++)
        {
            open.Add(await HubClient.ConnectAsync(Factory, account.AccessToken));
        }

        Assert.Equal(429, await HubClient.RefusedStatusAsync(Factory, $"{HubClient.HubPath}?access_token={account.AccessToken}"));
        var other = await TestAccount.CreateAsync(Factory);
        await using (await HubClient.ConnectAsync(Factory, other.AccessToken))
        {
            // Another user's budget is separate.
        }

        await open[0].DisposeAsync();
        // The server frees the slot when its side of the connection ends; the next connect succeeds once it has.
        await using var replacement = await ConnectEventuallyAsync(account.AccessToken);
        foreach (var hub in open.Skip(1))
        {
            await hub.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("{\"protocol\":\"blazorpack\",\"version\":1}\u001e", "The protocol 'blazorpack' is not supported.")]
    [InlineData("{\"protocol\":\"messagepack\",\"version\":2}\u001e", "Version 2 of the protocol 'messagepack' is not supported.")]
    [InlineData("{\"protocol\":\"messagepack\",\"version\":1}", "The handshake must be one JSON object followed by the record separator.")]
    [InlineData("{\"protocol\":\"messagepack\"\u001e", "The handshake is not valid JSON.")]
    public async Task Handshake_Unsupported_AnswersAHandshakeErrorAndCloses(string handshake, string error)
    {
        var account = await TestAccount.CreateAsync(Factory);
        using var socket = await HubClient.OpenAsync(Factory, $"{HubClient.HubPath}?access_token={account.AccessToken}");

        await HubClient.SendTextAsync(socket, handshake);

        var (_, answer) = await HubClient.ReceiveFrameAsync(socket);
        Assert.Equal($"{{\"error\":\"{error.Replace("'", "\\u0027", StringComparison.Ordinal)}\"}}\u001e", Encoding.UTF8.GetString(answer));
        Assert.Equal(WebSocketMessageType.Close, (await HubClient.ReceiveFrameAsync(socket)).Type);
    }

    [Fact]
    public async Task Handshake_NeverSent_ClosesTheConnection()
    {
        var account = await TestAccount.CreateAsync(Factory);
        using var socket = await HubClient.OpenAsync(Factory, $"{HubClient.HubPath}?access_token={account.AccessToken}");

        var (type, _) = await HubClient.ReceiveFrameAsync(socket);

        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
    }

    [Fact]
    public async Task ServerShutdown_ClosesHubConnectionsPolitely()
    {
        var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        await using var hub = await HubClient.ConnectAsync(factory, account.AccessToken);

        var stopping = factory.DisposeAsync().AsTask();

        Assert.Equal([7, -1], (await hub.ReceiveUntilClosedAsync()).Select(m => m.Type));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, hub.Socket.CloseStatus);
        await hub.DisposeAsync();
        await stopping;
    }

    [Fact]
    public async Task OversizedMessage_ClosesWithMessageTooBig()
    {
        var account = await TestAccount.CreateAsync(Factory);
        await using var hub = await HubClient.ConnectAsync(Factory, account.AccessToken);

        await hub.Socket.SendAsync(new byte[300], WebSocketMessageType.Binary, true, CancellationToken.None);

        Assert.Equal(HubMessage.Closed, await hub.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, hub.Socket.CloseStatus);
    }

    [Fact]
    public async Task FloodOfPings_ClosesWithPolicyViolation()
    {
        var account = await TestAccount.CreateAsync(Factory);
        await using var hub = await HubClient.ConnectAsync(Factory, account.AccessToken);

        for (var i = 0; i < 5; i++)
        {
            await hub.Socket.SendAsync(new byte[] { 0x02, 0x91, 0x06 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        }

        Assert.Equal(HubMessage.Closed, await SkipPingsAsync(hub));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, hub.Socket.CloseStatus);
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 0x91, 0x06 })]
    [InlineData(new byte[] { 0x02, 0xc0, 0x06 })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })]
    [InlineData(new byte[] { 0x03, 0x92, 0x06, 0x80 })]
    public async Task MalformedMessage_ClosesWithProtocolError(byte[] frame)
    {
        var account = await TestAccount.CreateAsync(Factory);
        await using var hub = await HubClient.ConnectAsync(Factory, account.AccessToken);

        await hub.Socket.SendAsync(frame, WebSocketMessageType.Binary, true, CancellationToken.None);

        Assert.Equal(HubMessage.Closed, await SkipPingsAsync(hub));
        Assert.Equal(WebSocketCloseStatus.ProtocolError, hub.Socket.CloseStatus);
    }

    [Fact]
    public async Task ClientPingsAndClose_AreAcceptedAndEndTheConnection()
    {
        var account = await TestAccount.CreateAsync(Factory);
        await using var hub = await HubClient.ConnectAsync(Factory, account.AccessToken);

        // Ping [6], then Close [7, nil] as the client sends on stop (doc §5.1), in one frame.
        await hub.Socket.SendAsync(new byte[] { 0x02, 0x91, 0x06, 0x03, 0x92, 0x07, 0xc0 }, WebSocketMessageType.Binary, true, CancellationToken.None);

        Assert.Equal(HubMessage.Closed, await SkipPingsAsync(hub));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, hub.Socket.CloseStatus);
    }

    [Fact]
    public async Task AnonymousHub_WithAuthRequestToken_Connects_AndIsCappedPerAddress()
    {
        var path = $"/notifications/anonymous-hub?Token={Guid.NewGuid()}";
        Assert.Equal(400, await HubClient.RefusedStatusAsync(Factory, "/notifications/anonymous-hub?Token=nope"));
        using var first = await HubClient.OpenAsync(Factory, path);
        using var second = await HubClient.OpenAsync(Factory, path);
        await HubClient.SendTextAsync(first, "{\"protocol\":\"messagepack\",\"version\":1}\u001e");
        Assert.Equal("{}\u001e", Encoding.UTF8.GetString((await HubClient.ReceiveFrameAsync(first)).Data));

        Assert.Equal(429, await HubClient.RefusedStatusAsync(Factory, path));
    }

    private static async Task<HubMessage> SkipPingsAsync(HubClient hub)
    {
        HubMessage message;
        do
        {
            message = await hub.ReceiveAsync();
        }
        while (message.Type == 6);
        return message;
    }

    private async Task<HubClient> ConnectEventuallyAsync(string token)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await HubClient.ConnectAsync(Factory, token);
            }
            catch (InvalidOperationException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
