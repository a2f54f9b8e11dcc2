using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Coffer.Server.Notifications;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Notifications;

/// <summary>
/// The connection budgets of the hubs (issue: the anonymous hub has its own per-address budget, IPv6 grouped by /64,
/// and its own node-wide cap, apart from signed-in users), the gauge that counts them, and what a client that stops
/// reading costs everyone else.
/// </summary>
public sealed class HubBudgetTests
{
    private const string AnonymousPath = "/notifications/anonymous-hub?Token=";

    [Fact]
    public async Task AnonymousHub_WithoutAnAuthRequestId_Returns400()
    {
        await using var factory = new CofferFactory();

        Assert.Equal(400, await RawHub.RefusedStatusAsync(factory, AnonymousPath + "nope"));
        Assert.Equal(400, await RawHub.RefusedStatusAsync(factory, "/notifications/anonymous-hub"));
    }

    [Fact]
    public async Task AnonymousHub_PerAddressBudget_CountsAnIPv6ClientByIts64()
    {
        await using var factory = new CofferFactory();
        factory.Settings["Coffer:Notifications:MaxAnonymousConnectionsPerAddress"] = "2";
        var path = AnonymousPath + Guid.NewGuid();

        using var first = await RawHub.OpenAsync(factory, path, from: IPAddress.Parse("2001:db8:1:2::1"));
        using var second = await RawHub.OpenAsync(factory, path, from: IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff"));

        Assert.Equal(429, await RawHub.RefusedStatusAsync(factory, path, from: IPAddress.Parse("2001:db8:1:2:abcd::7")));
        using var otherBlock = await RawHub.OpenAsync(factory, path, from: IPAddress.Parse("2001:db8:1:3::1"));
        using var ipv4 = await RawHub.OpenAsync(factory, path, from: IPAddress.Parse("192.0.2.1"));
    }

    [Fact]
    public async Task AnonymousHub_IsCappedPerAddress_ApartFromSignedInConnectionsFromThatAddress()
    {
        await using var factory = new CofferFactory();
        factory.Settings["Coffer:Notifications:MaxAnonymousConnectionsPerAddress"] = "1";
        var account = await TestAccount.CreateAsync(factory);
        var address = IPAddress.Parse("198.51.100.7");
        var signedIn = $"{LiveSyncClient.HubPath}?access_token={account.AccessToken}";
        using var user = await RawHub.OpenAsync(factory, signedIn, from: address);
        using var user2 = await RawHub.OpenAsync(factory, signedIn, from: address);

        using var anonymous = await RawHub.OpenAsync(factory, AnonymousPath + Guid.NewGuid(), from: address);

        Assert.Equal(429, await RawHub.RefusedStatusAsync(factory, AnonymousPath + Guid.NewGuid(), from: address));
        using var user3 = await RawHub.OpenAsync(factory, signedIn, from: address);
    }

    [Fact]
    public async Task AnonymousHub_NodeCap_IsItsOwn_AndNeverTakesSignedInSlots()
    {
        await using var factory = new CofferFactory();
        factory.Settings["Coffer:Notifications:MaxAnonymousConnections"] = "2";
        factory.Settings["Coffer:Notifications:MaxConnections"] = "1";
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        using var a = await RawHub.OpenAsync(factory, AnonymousPath + Guid.NewGuid(), from: IPAddress.Parse("192.0.2.1"));
        using var b = await RawHub.OpenAsync(factory, AnonymousPath + Guid.NewGuid(), from: IPAddress.Parse("192.0.2.2"));

        Assert.Equal(429, await RawHub.RefusedStatusAsync(factory, AnonymousPath + Guid.NewGuid(), from: IPAddress.Parse("192.0.2.3")));
        await using var user = await LiveSyncClient.ConnectAsync(factory, account.AccessToken);
        Assert.Equal(429, await RawHub.RefusedStatusAsync(factory, $"{LiveSyncClient.HubPath}?access_token={other.AccessToken}"));
        Assert.Equal(429, await RawHub.RefusedStatusAsync(factory, AnonymousPath + Guid.NewGuid(), from: IPAddress.Parse("192.0.2.4")));
    }

    [Fact]
    public async Task Gauge_CountsOpenConnectionsByHub()
    {
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        await using var user = await LiveSyncClient.ConnectAsync(factory, account.AccessToken);
        using var a = await RawHub.OpenAsync(factory, AnonymousPath + Guid.NewGuid(), from: IPAddress.Parse("192.0.2.1"));
        using var b = await RawHub.OpenAsync(factory, AnonymousPath + Guid.NewGuid(), from: IPAddress.Parse("192.0.2.2"));

        var gauge = ReadGauge(factory);

        Assert.Equal(1, gauge["authenticated"]);
        Assert.Equal(2, gauge["anonymous"]);
    }

    [Fact]
    public async Task ClientThatStopsReading_IsDisconnected_WhileTheOthersKeepReceiving()
    {
        await using var factory = new CofferFactory();
        factory.Settings["urls"] = "http://127.0.0.1:0";
        factory.UseKestrel();
        factory.StartServer();
        var devices = await TwoDevices.CreateAsync(factory);
        var server = factory.CreateClient().BaseAddress!;
        // The stuck client's receive buffer is fixed small: left to the kernel, loopback buffers autotune up to
        // net.ipv4.tcp_rmem's maximum (32 MB on some machines) and would swallow the whole backlog.
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 8 * 1024 };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var invoker = new HttpMessageInvoker(handler);
        using var stuck = new ClientWebSocket();
        stuck.Options.SetRequestHeader("Authorization", "Bearer " + devices.First.AccessToken);
        await stuck.ConnectAsync(new Uri($"ws://{server.Authority}{LiveSyncClient.HubPath}"), invoker, CancellationToken.None);
        await RawHub.SendTextAsync(stuck, "{\"protocol\":\"messagepack\",\"version\":1}\u001e");
        await RawHub.ReceiveFrameAsync(stuck);
        // From here on the stuck client reads nothing: the server's buffers and the sockets' fill up.
        await using var healthy = await LiveSyncClient.ConnectAsync(server, devices.SecondToken);
        var hubs = factory.Services.GetRequiredService<HubConnections>();
        Assert.Equal(2, hubs.SignedIn);
        var userId = Guid.Parse(devices.First.UserId);

        // About 12 MB in all (a long ContextId, of no device): more than the server's socket send buffer can grow to
        // (net.ipv4.tcp_wmem's maximum, commonly 4 MB) plus the stuck client's small receive buffer.
        const int Sent = 3000;
        var context = new string('x', 4000);
        // In batches of 20 that the healthy client reads before the next, so it never has more than 20 in flight
        // however slow the machine, while the stuck client's backlog only grows.
        const int Batch = 20;
        for (var start = 0; start < Sent; start += Batch)
        {
            for (var i = start; i < start + Batch; i++)
            {
                // Deliver returns at once whatever the clients do.
                hubs.Deliver(new Notification(PushType.SyncVault, userId, DateTime.UnixEpoch.AddSeconds(i), ContextId: context));
            }

            for (var i = start; i < start + Batch; i++)
            {
                Assert.Equal(DateTime.UnixEpoch.AddSeconds(i), (await healthy.NextNotificationAsync()).Payload["Date"]);
            }
        }

        for (var attempt = 0; hubs.SignedIn != 1; attempt++)
        {
            Assert.True(attempt < 200, "the client that stopped reading was never disconnected");
            await Task.Delay(100);
        }

        Assert.Equal(HubConnectionState.Connected, healthy.Connection.State);
    }

    [Fact]
    public async Task Hub_OverHttp2_OpensWithTheExtendedConnectBrowsersUse()
    {
        // Browsers open a WebSocket on an HTTP/2 connection with CONNECT (RFC 8441), not GET. The account comes from
        // a server over the same data folder, as the HTTP/2-only one (h2c) speaks to no HTTP/1.1 client.
        await using var first = new CofferFactory();
        var account = await TestAccount.CreateAsync(first);
        await using var factory = CofferFactory.OnExistingFolder(first.DataFolder);
        factory.Settings["urls"] = "http://127.0.0.1:0";
        factory.Settings["Kestrel:EndpointDefaults:Protocols"] = "Http2";
        factory.UseKestrel();
        factory.StartServer();
        using var handler = new SocketsHttpHandler();
        using var invoker = new HttpMessageInvoker(handler);
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;

        using var client = factory.CreateClient();
        await socket.ConnectAsync(new Uri($"ws://{client.BaseAddress!.Authority}{LiveSyncClient.HubPath}?access_token={account.AccessToken}"), invoker, CancellationToken.None);
        await RawHub.SendTextAsync(socket, "{\"protocol\":\"messagepack\",\"version\":1}\u001e");

        Assert.Equal("7b7d1e", Convert.ToHexStringLower((await RawHub.ReceiveFrameAsync(socket)).Data));
    }

    [Theory]
    [InlineData(nameof(NotificationOptions.PingSeconds), 26)]
    [InlineData(nameof(NotificationOptions.PingSeconds), 0)]
    [InlineData(nameof(NotificationOptions.MaxConnectionsPerUser), 0)]
    [InlineData(nameof(NotificationOptions.MaxConnections), 0)]
    [InlineData(nameof(NotificationOptions.MaxAnonymousConnections), 0)]
    [InlineData(nameof(NotificationOptions.MaxAnonymousConnectionsPerAddress), 0)]
    [InlineData(nameof(NotificationOptions.HandshakeTimeoutSeconds), 0)]
    [InlineData(nameof(NotificationOptions.MaxIncomingMessageBytes), 100)]
    [InlineData(nameof(NotificationOptions.MaxIncomingMessagesPerMinute), 3)]
    [InlineData(nameof(NotificationOptions.MaxQueuedMessages), 0)]
    public void Options_OutOfRange_AreRefused(string name, int value)
    {
        var options = new NotificationOptions();
        Assert.Empty(options.Validate());
        typeof(NotificationOptions).GetProperty(name)!.SetValue(options, value);

        Assert.Contains(options.Validate(), failure => failure.Contains(name, StringComparison.Ordinal));
    }

    private static Dictionary<string, int> ReadGauge(CofferFactory factory)
    {
        var meters = factory.Services.GetRequiredService<IMeterFactory>();
        var values = new Dictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "coffer.hub.connections")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) => values[(string)tags.ToArray().Single(t => t.Key == "hub").Value!] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
