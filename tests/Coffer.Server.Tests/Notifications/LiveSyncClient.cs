using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Notifications;

/// <summary>
/// The .NET SignalR client, configured as the Bitwarden clients configure theirs (notifications doc §3.1): WebSockets
/// without negotiation, the MessagePack protocol (or JSON), the access token in the query string (browsers) or the
/// Authorization header (Node). Notifications and the end of the connection arrive in order.
/// </summary>
public sealed class LiveSyncClient : IAsyncDisposable
{
    public const string HubPath = "/notifications/hub";

    // A guard against a hung test, not a timed assertion: every awaited event is expected well before it.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private readonly Channel<HubEvent> events = Channel.CreateUnbounded<HubEvent>();

    private LiveSyncClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<PushMessage>("ReceiveMessage", message => events.Writer.TryWrite(new HubEvent(message, Closed: false, null)));
        connection.Closed += async error =>
        {
            // The client raises Closed without waiting for its queue of received invocations to run (HubConnection's
            // receive loop completes the queue and moves on), so a notification sent just before the close can reach
            // its handler after Closed. A moment's grace keeps the events in the order they came over the wire.
            await Task.Delay(250);
            events.Writer.TryWrite(new HubEvent(null, Closed: true, error));
        };
    }

    public HubConnection Connection { get; }

    public static async Task<LiveSyncClient> ConnectAsync(CofferFactory factory, string? accessToken, string protocol = "messagepack", bool tokenInHeader = false, string path = HubPath)
    {
        var query = accessToken is null || tokenInHeader ? "" : (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "access_token=" + Uri.EscapeDataString(accessToken);
        var builder = new HubConnectionBuilder().WithUrl(new Uri("http://localhost" + path + query), options =>
        {
            options.SkipNegotiation = true;
            options.Transports = HttpTransportType.WebSockets;
            options.WebSocketFactory = (context, ct) =>
            {
                var client = factory.Server.CreateWebSocketClient();
                if (tokenInHeader)
                {
                    client.ConfigureRequest = request => request.Headers.Authorization = "Bearer " + accessToken;
                }

                return new ValueTask<WebSocket>(client.ConnectAsync(context.Uri, ct));
            };
        });
        if (protocol == "messagepack")
        {
            builder.AddMessagePackProtocol();
        }
        else
        {
            // Keys stay as the server wrote them (PascalCase), as the Bitwarden clients read them.
            builder.AddJsonProtocol(json => json.PayloadSerializerOptions.PropertyNamingPolicy = null);
        }

        var client = new LiveSyncClient(builder.Build());
        using var guard = new CancellationTokenSource(Guard);
        var hubs = factory.Services.GetRequiredService<Coffer.Server.Notifications.HubConnections>();
        var before = hubs.Registered;
        await client.Connection.StartAsync(guard.Token);
        // SignalR answers the handshake before the hub's OnConnectedAsync registers the connection for delivery, so a
        // notification sent in between would miss it (clients sync on connect for that reason); tests wait for the
        // registration, as a loaded machine can stretch that window.
        while (path == HubPath && hubs.Registered <= before
            && client.Connection.State == HubConnectionState.Connected && !guard.IsCancellationRequested)
        {
            await Task.Delay(5, CancellationToken.None);
        }

        return client;
    }

    /// <summary>Connects over real sockets to a server listening at <paramref name="server"/>, the token in the Authorization header.</summary>
    public static async Task<LiveSyncClient> ConnectAsync(Uri server, string accessToken)
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(server, HubPath), options =>
        {
            options.SkipNegotiation = true;
            options.Transports = HttpTransportType.WebSockets;
            options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
        }).AddMessagePackProtocol().Build();
        var client = new LiveSyncClient(connection);
        using var guard = new CancellationTokenSource(Guard);
        await connection.StartAsync(guard.Token);
        return client;
    }

    /// <summary>The next notification; fails if the connection ends first.</summary>
    public async Task<ReceivedNotification> NextNotificationAsync()
    {
        var next = await NextAsync();
        return next.Message is { } message
            ? ReceivedNotification.From(message)
            : throw new Xunit.Sdk.XunitException($"Expected a notification, the connection ended: {next.Error}");
    }

    /// <summary>The notifications up to the end of the connection, and the error it ended with; null for a clean close.</summary>
    public async Task<(List<ReceivedNotification> Notifications, Exception? Error)> ReceiveUntilClosedAsync()
    {
        var received = new List<ReceivedNotification>();
        while (true)
        {
            var next = await NextAsync();
            if (next.Closed)
            {
                return (received, next.Error);
            }

            received.Add(ReceivedNotification.From(next.Message!));
        }
    }

    /// <summary>Waits for the server to end the connection; true when it did so cleanly, false when it closed it with an error.</summary>
    public async Task<bool> EndedCleanlyAsync() => (await ReceiveUntilClosedAsync()).Error is null;

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private async Task<HubEvent> NextAsync()
    {
        using var guard = new CancellationTokenSource(Guard);
        return await events.Reader.ReadAsync(guard.Token);
    }

    private sealed record HubEvent(PushMessage? Message, bool Closed, Exception? Error);
}

/// <summary>The <c>ReceiveMessage</c> argument of notifications doc §4, as the client deserializes it.</summary>
public sealed record PushMessage(string? ContextId, int Type, Dictionary<string, object?> Payload);

/// <summary>A notification with its payload values as strings, dates and nulls, whichever the protocol.</summary>
public sealed record ReceivedNotification(string? ContextId, int Type, Dictionary<string, object?> Payload)
{
    public string? Id => (string?)Payload.GetValueOrDefault("Id");

    public static ReceivedNotification From(PushMessage message) => new(
        message.ContextId,
        message.Type,
        message.Payload.ToDictionary(p => p.Key, p => p.Value is JsonElement json ? json.ValueKind == JsonValueKind.Null ? null : json.GetString() : p.Value));
}

/// <summary>
/// A bare WebSocket to a hub, for what no well-behaved client sends: broken handshakes and malformed or flooding
/// frames. Only the handshake bytes of notifications doc §5.1 are written by hand.
/// </summary>
public static class RawHub
{
    /// <summary>The upgrade alone, from the client address <paramref name="from"/> when given; a refused upgrade throws.</summary>
    public static async Task<WebSocket> OpenAsync(CofferFactory factory, string pathAndQuery, string? bearer = null, IPAddress? from = null)
    {
        var client = factory.Server.CreateWebSocketClient();
        client.ConfigureRequest = request =>
        {
            if (bearer is not null)
            {
                request.Headers.Authorization = "Bearer " + bearer;
            }

            if (from is not null)
            {
                request.HttpContext.Connection.RemoteIpAddress = from;
            }
        };

        return await client.ConnectAsync(new Uri("wss://localhost" + pathAndQuery), CancellationToken.None);
    }

    /// <summary>Opens and completes the MessagePack handshake.</summary>
    public static async Task<WebSocket> ConnectAsync(CofferFactory factory, string accessToken)
    {
        var socket = await OpenAsync(factory, $"{LiveSyncClient.HubPath}?access_token={Uri.EscapeDataString(accessToken)}");
        await SendTextAsync(socket, "{\"protocol\":\"messagepack\",\"version\":1}\u001e");
        Assert.Equal("{}\u001e", Encoding.UTF8.GetString((await ReceiveFrameAsync(socket)).Data));
        return socket;
    }

    /// <summary>The status of a refused upgrade (the test server's client names it in its exception).</summary>
    public static async Task<int> RefusedStatusAsync(CofferFactory factory, string pathAndQuery, string? bearer = null, IPAddress? from = null)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(factory, pathAndQuery, bearer, from));
        return int.Parse(refused.Message[(refused.Message.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task SendTextAsync(WebSocket socket, string text) =>
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveFrameAsync(WebSocket socket)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), guard.Token);
            length += result.Count;
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, buffer[..length]);
            }
        }
    }

    /// <summary>Frames up to the WebSocket close, server pings (<c>02 91 06</c>) skipped; the last is the close.</summary>
    public static async Task<List<byte[]>> ReceiveUntilClosedAsync(WebSocket socket)
    {
        var frames = new List<byte[]>();
        while (true)
        {
            var (type, data) = await ReceiveFrameAsync(socket);
            if (type == WebSocketMessageType.Close)
            {
                return frames;
            }

            if (!data.AsSpan().SequenceEqual((byte[])[0x02, 0x91, 0x06]))
            {
                frames.Add(data);
            }
        }
    }
}
