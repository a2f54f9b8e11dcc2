using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Coffer.Server.Tests.Notifications;

/// <summary>Who may connect to the hubs, and how connections that break the rules end (notifications doc §2, §3).</summary>
public sealed class HubConnectionTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private CofferFactory Factory => fixture.Factory;

    [Fact]
    public async Task Hub_WithoutToken_RefusesTheUpgradeWith401()
    {
        Assert.Equal(401, await RawHub.RefusedStatusAsync(Factory, LiveSyncClient.HubPath));
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

        Assert.Equal(401, await RawHub.RefusedStatusAsync(Factory, $"{LiveSyncClient.HubPath}?access_token={Uri.EscapeDataString(token)}"));
        Assert.Equal(401, await RawHub.RefusedStatusAsync(Factory, LiveSyncClient.HubPath, bearer: token));
    }

    [Fact]
    public async Task Hub_WithTokenOfEndedSession_RefusesTheUpgradeWith401()
    {
        var account = await TestAccount.CreateAsync(Factory);
        using var response = await account.Client.PostJsonAsync(AccountChanges.SecurityStampUrl, AccountChanges.Secret(account.Credentials.MasterPasswordHash));
        await response.ExpectSuccessAsync();

        Assert.Equal(401, await RawHub.RefusedStatusAsync(Factory, $"{LiveSyncClient.HubPath}?access_token={account.AccessToken}"));
    }

    [Fact]
    public async Task Hub_WithExpiredToken_RefusesTheUpgradeWith401()
    {
        // A factory of its own: moving the clock would expire the other tests' tokens.
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        factory.Clock.Advance(TimeSpan.FromHours(2));

        Assert.Equal(401, await RawHub.RefusedStatusAsync(factory, $"{LiveSyncClient.HubPath}?access_token={account.AccessToken}"));
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

        using var response = await account.Client.GetAsync(LiveSyncClient.HubPath);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Hub_BeyondTheConnectionsPerUser_RefusesTheUpgradeWith429_UntilOneCloses()
    {
        var account = await TestAccount.CreateAsync(Factory);
        var open = new List<LiveSyncClient>();
        for (var i = 0; i < 3; i++)
        {
            open.Add(await LiveSyncClient.ConnectAsync(Factory, account.AccessToken));
        }

        Assert.Equal(429, await RawHub.RefusedStatusAsync(Factory, $"{LiveSyncClient.HubPath}?access_token={account.AccessToken}"));
        var other = await TestAccount.CreateAsync(Factory);
        await using (await LiveSyncClient.ConnectAsync(Factory, other.AccessToken))
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
    [InlineData("{\"protocol\":\"messagepack\",\"version\":99}\u001e", "The server does not support version 99 of the 'messagepack' protocol.")]
    [InlineData("{\"protocol\":\"messagepack\"\u001e", "An unexpected error occurred during connection handshake.")]
    public async Task Handshake_Unsupported_AnswersAHandshakeErrorAndCloses(string handshake, string error)
    {
        var account = await TestAccount.CreateAsync(Factory);
        using var socket = await RawHub.OpenAsync(Factory, $"{LiveSyncClient.HubPath}?access_token={account.AccessToken}");

        await RawHub.SendTextAsync(socket, handshake);

        var (_, answer) = await RawHub.ReceiveFrameAsync(socket);
        Assert.Equal(error, JsonNode.Parse(Encoding.UTF8.GetString(answer).TrimEnd('\u001e'))!["error"]!.GetValue<string>());
        Assert.Equal(WebSocketMessageType.Close, (await RawHub.ReceiveFrameAsync(socket)).Type);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"protocol\":\"messagepack\",\"version\":1}")]
    public async Task Handshake_NeverCompleted_ClosesTheConnection(string partial)
    {
        var account = await TestAccount.CreateAsync(Factory);
        using var socket = await RawHub.OpenAsync(Factory, $"{LiveSyncClient.HubPath}?access_token={account.AccessToken}");
        if (partial.Length > 0)
        {
            await RawHub.SendTextAsync(socket, partial);
        }

        var (type, answer) = await RawHub.ReceiveFrameAsync(socket);

        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal("{\"error\":\"Handshake was canceled.\"}\u001e", Encoding.UTF8.GetString(answer));
        Assert.Equal(WebSocketMessageType.Close, (await RawHub.ReceiveFrameAsync(socket)).Type);
    }

    [Fact]
    public async Task ServerShutdown_ClosesHubConnectionsPolitely()
    {
        var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        await using var hub = await LiveSyncClient.ConnectAsync(factory, account.AccessToken);

        var stopping = factory.DisposeAsync().AsTask();

        Assert.True(await hub.EndedCleanlyAsync());
        await stopping;
    }

    [Fact]
    public async Task OversizedMessage_ClosesTheConnectionWithAnError()
    {
        var account = await TestAccount.CreateAsync(Factory);
        await using var hub = await LiveSyncClient.ConnectAsync(Factory, account.AccessToken);

        await hub.Connection.SendAsync("Anything", new string('x', 300));

        Assert.False(await hub.EndedCleanlyAsync());
    }

    [Fact]
    public async Task FloodOfPings_ClosesTheConnectionWithAnError()
    {
        var account = await TestAccount.CreateAsync(Factory);
        using var socket = await RawHub.ConnectAsync(Factory, account.AccessToken);

        for (var i = 0; i < 5; i++)
        {
            await socket.SendAsync(new byte[] { 0x02, 0x91, 0x06 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        }

        AssertClosedWithError(await RawHub.ReceiveUntilClosedAsync(socket));
    }

    [Fact]
    public async Task FloodOfInvocations_ClosesTheConnectionWithAnError()
    {
        var account = await TestAccount.CreateAsync(Factory);
        await using var hub = await LiveSyncClient.ConnectAsync(Factory, account.AccessToken);

        for (var i = 0; i < 5; i++)
        {
            await hub.Connection.SendAsync("Anything");
        }

        Assert.False(await hub.EndedCleanlyAsync());
    }

    [Theory]
    [InlineData(new byte[] { 0x02, 0xc0, 0x06 })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })]
    [InlineData(new byte[] { 0x03, 0x92, 0xa1, 0x80 })]
    public async Task MalformedMessage_ClosesTheConnectionWithAnError(byte[] frame)
    {
        var account = await TestAccount.CreateAsync(Factory);
        using var socket = await RawHub.ConnectAsync(Factory, account.AccessToken);

        await socket.SendAsync(frame, WebSocketMessageType.Binary, true, CancellationToken.None);

        AssertClosedWithError(await RawHub.ReceiveUntilClosedAsync(socket));
    }

    [Fact]
    public async Task ClientPingsAndClose_AreAcceptedAndEndTheConnection()
    {
        var account = await TestAccount.CreateAsync(Factory);
        using var socket = await RawHub.ConnectAsync(Factory, account.AccessToken);

        // Ping [6], then Close [7, nil] as the client sends on stop (doc §5.1), in one frame.
        await socket.SendAsync(new byte[] { 0x02, 0x91, 0x06, 0x03, 0x92, 0x07, 0xc0 }, WebSocketMessageType.Binary, true, CancellationToken.None);

        // Close [7, nil, false]: no error (doc §5.1).
        Assert.Equal("049307c0c2", Convert.ToHexStringLower(Assert.Single(await RawHub.ReceiveUntilClosedAsync(socket))));
    }

    private static void AssertClosedWithError(List<byte[]> frames)
    {
        // The last message is Close [7, error, allowReconnect] with an error string, not nil.
        var close = Assert.Single(frames);
        Assert.Equal([0x93, 0x07], close[1..3]);
        Assert.NotEqual(0xc0, close[3]);
    }

    private async Task<LiveSyncClient> ConnectEventuallyAsync(string token)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await LiveSyncClient.ConnectAsync(Factory, token);
            }
            catch (Exception) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
