using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Notifications;

/// <summary>
/// A hub client that connects as the Bitwarden clients do (notifications doc §3.1): WebSocket upgrade with the
/// access token, no negotiation, the messagepack (or json) handshake. Messages are decoded by
/// <see cref="MessagePackDecoder"/>, written independently of the server's encoder.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    public const string HubPath = "/notifications/hub";

    // A guard against a hung test, not a timed assertion: every awaited message is expected well before it.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private readonly Queue<HubMessage> pending = new();

    private HubClient(WebSocket socket, string protocol)
    {
        Socket = socket;
        Protocol = protocol;
    }

    public WebSocket Socket { get; }

    public string Protocol { get; }

    /// <summary>Connects with the token in the query string (browsers) or the Authorization header (Node), and completes the handshake.</summary>
    public static async Task<HubClient> ConnectAsync(CofferFactory factory, string accessToken, string protocol = "messagepack", bool tokenInHeader = false)
    {
        var socket = tokenInHeader
            ? await OpenAsync(factory, HubPath, accessToken)
            : await OpenAsync(factory, $"{HubPath}?access_token={Uri.EscapeDataString(accessToken)}");
        await SendTextAsync(socket, $"{{\"protocol\":\"{protocol}\",\"version\":1}}\u001e");
        var answer = await ReceiveFrameAsync(socket);
        Assert.Equal("{}\u001e", Encoding.UTF8.GetString(answer.Data));
        return new HubClient(socket, protocol);
    }

    /// <summary>The upgrade alone; a refused upgrade throws <see cref="InvalidOperationException"/> naming the status code.</summary>
    public static Task<WebSocket> OpenAsync(CofferFactory factory, string pathAndQuery, string? bearer = null)
    {
        var client = factory.Server.CreateWebSocketClient();
        if (bearer is not null)
        {
            client.ConfigureRequest = request => request.Headers.Authorization = "Bearer " + bearer;
        }

        return client.ConnectAsync(new Uri("wss://localhost" + pathAndQuery), CancellationToken.None);
    }

    public static async Task<int> RefusedStatusAsync(CofferFactory factory, string pathAndQuery, string? bearer = null)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(factory, pathAndQuery, bearer));
        return int.Parse(refused.Message[(refused.Message.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task SendTextAsync(WebSocket socket, string text) =>
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveFrameAsync(WebSocket socket)
    {
        using var guard = new CancellationTokenSource(Guard);
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

    /// <summary>The next hub message, ping included; a WebSocket close returns <see cref="HubMessage.Closed"/>.</summary>
    public async Task<HubMessage> ReceiveAsync()
    {
        while (pending.Count == 0)
        {
            var (type, data) = await ReceiveFrameAsync(Socket);
            if (type == WebSocketMessageType.Close)
            {
                return HubMessage.Closed;
            }

            foreach (var message in Protocol == "json" ? ParseJson(type, data) : ParseMessagePack(type, data))
            {
                pending.Enqueue(message);
            }
        }

        return pending.Dequeue();
    }

    /// <summary>The next invocation, skipping pings.</summary>
    public async Task<HubMessage> NextInvocationAsync()
    {
        while (true)
        {
            var message = await ReceiveAsync();
            if (message.Type == 6)
            {
                continue;
            }

            return message.Type == 1 ? message : throw new Xunit.Sdk.XunitException($"Expected a notification, got hub message type {message.Type}.");
        }
    }

    public async Task<HubNotification> NextNotificationAsync() => (await NextInvocationAsync()).Notification!;

    /// <summary>The messages up to and including the WebSocket close, pings skipped.</summary>
    public async Task<List<HubMessage>> ReceiveUntilClosedAsync()
    {
        var messages = new List<HubMessage>();
        HubMessage message;
        do
        {
            message = await ReceiveAsync();
            if (message.Type != 6)
            {
                messages.Add(message);
            }
        }
        while (message != HubMessage.Closed);
        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var guard = new CancellationTokenSource(Guard);
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", guard.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The server went first; nothing left to close.
            }
        }

        Socket.Dispose();
    }

    private static IEnumerable<HubMessage> ParseMessagePack(WebSocketMessageType type, byte[] data)
    {
        Assert.Equal(WebSocketMessageType.Binary, type);
        var rest = data.AsMemory();
        while (!rest.IsEmpty)
        {
            var (length, used) = ReadVarint(rest.Span);
            var body = (object?[])MessagePackDecoder.Decode(rest.Span.Slice(used, length))!;
            rest = rest[(used + length)..];
            yield return HubMessage.FromMessagePack(body);
        }
    }

    private static IEnumerable<HubMessage> ParseJson(WebSocketMessageType type, byte[] data)
    {
        Assert.Equal(WebSocketMessageType.Text, type);
        var text = Encoding.UTF8.GetString(data);
        Assert.EndsWith("\u001e", text, StringComparison.Ordinal);
        foreach (var part in text[..^1].Split('\u001e'))
        {
            yield return HubMessage.FromJson(JsonNode.Parse(part)!.AsObject());
        }
    }

    private static (int Length, int Used) ReadVarint(ReadOnlySpan<byte> data)
    {
        var value = 0;
        for (var i = 0; i < 5; i++)
        {
            value |= (data[i] & 0x7f) << (7 * i);
            if ((data[i] & 0x80) == 0)
            {
                return (value, i + 1);
            }
        }

        throw new InvalidDataException("varint longer than 5 bytes");
    }
}

/// <summary>One hub message: its type (1 invocation, 6 ping, 7 close) and, for an invocation, the notification.</summary>
public sealed record HubMessage(int Type, string? Target = null, HubNotification? Notification = null)
{
    /// <summary>Stands for the WebSocket close itself.</summary>
    public static readonly HubMessage Closed = new(-1);

    public static HubMessage FromMessagePack(object?[] body)
    {
        var type = Convert.ToInt32(body[0], System.Globalization.CultureInfo.InvariantCulture);
        if (type != 1)
        {
            return new HubMessage(type);
        }

        Assert.Equal(5, body.Length);
        Assert.Empty((Dictionary<string, object?>)body[1]!);
        Assert.Null(body[2]);
        var argument = (Dictionary<string, object?>)Assert.Single((object?[])body[4]!)!;
        return new HubMessage(1, (string)body[3]!, HubNotification.From(argument));
    }

    public static HubMessage FromJson(JsonObject message)
    {
        var type = (int)message["type"]!;
        if (type != 1)
        {
            return new HubMessage(type);
        }

        var argument = Assert.Single(message["arguments"]!.AsArray())!.AsObject();
        var payload = argument["Payload"]!.AsObject().ToDictionary(p => p.Key, p => p.Value?.GetValueKind() == System.Text.Json.JsonValueKind.Null ? null : (object?)(string)p.Value!);
        return new HubMessage(1, (string)message["target"]!, new HubNotification((string?)argument["ContextId"], (int)argument[nameof(HubNotification.Type)]!, payload));
    }
}

/// <summary>The notification map of doc §4: <c>ContextId</c>, <c>Type</c>, <c>Payload</c>.</summary>
public sealed record HubNotification(string? ContextId, int Type, Dictionary<string, object?> Payload)
{
    public static HubNotification From(Dictionary<string, object?> map)
    {
        Assert.Equal(["ContextId", "Type", "Payload"], map.Keys);
        return new((string?)map["ContextId"], Convert.ToInt32(map["Type"], System.Globalization.CultureInfo.InvariantCulture), (Dictionary<string, object?>)map["Payload"]!);
    }

    public string? Id => (string?)Payload.GetValueOrDefault("Id");
}

/// <summary>
/// A MessagePack decoder for tests, independent of the server's writer: nil, booleans, unsigned integers, strings,
/// arrays, maps and the timestamp extension (msgpack spec), into null, bool, long, string, object?[],
/// Dictionary&lt;string, object?&gt; and DateTime (UTC).
/// </summary>
public static class MessagePackDecoder
{
    public static object? Decode(ReadOnlySpan<byte> data)
    {
        var position = 0;
        var value = Read(data, ref position);
        Assert.Equal(data.Length, position);
        return value;
    }

    private static object? Read(ReadOnlySpan<byte> data, ref int p)
    {
        var code = data[p++];
        switch (code)
        {
            case < 0x80:
                return (long)code;
            case >= 0x80 and <= 0x8f:
                return ReadMap(data, ref p, code & 0x0f);
            case >= 0x90 and <= 0x9f:
                return ReadArray(data, ref p, code & 0x0f);
            case >= 0xa0 and <= 0xbf:
                return ReadString(data, ref p, code & 0x1f);
            case 0xc0:
                return null;
            case 0xc2:
                return false;
            case 0xc3:
                return true;
            case 0xcc:
                return (long)data[p++];
            case 0xcd:
                p += 2;
                return (long)BinaryPrimitives.ReadUInt16BigEndian(data[(p - 2)..]);
            case 0xce:
                p += 4;
                return (long)BinaryPrimitives.ReadUInt32BigEndian(data[(p - 4)..]);
            case 0xd9:
                return ReadString(data, ref p, data[p++]);
            case 0xda:
                p += 2;
                return ReadString(data, ref p, BinaryPrimitives.ReadUInt16BigEndian(data[(p - 2)..]));
            case 0xdc:
                p += 2;
                return ReadArray(data, ref p, BinaryPrimitives.ReadUInt16BigEndian(data[(p - 2)..]));
            case 0xde:
                p += 2;
                return ReadMap(data, ref p, BinaryPrimitives.ReadUInt16BigEndian(data[(p - 2)..]));
            case 0xd6:
                Assert.Equal(0xff, data[p]);
                p += 5;
                return DateTime.UnixEpoch.AddSeconds(BinaryPrimitives.ReadUInt32BigEndian(data[(p - 4)..]));
            case 0xd7:
                {
                    Assert.Equal(0xff, data[p]);
                    p += 9;
                    var data64 = BinaryPrimitives.ReadUInt64BigEndian(data[(p - 8)..]);
                    return DateTime.UnixEpoch.AddSeconds(data64 & 0x3ffffffffUL).AddTicks((long)(data64 >> 34) / 100);
                }

            case 0xc7:
                {
                    Assert.Equal(12, data[p]);
                    Assert.Equal(0xff, data[p + 1]);
                    p += 14;
                    var nanoseconds = BinaryPrimitives.ReadUInt32BigEndian(data[(p - 12)..]);
                    var seconds = BinaryPrimitives.ReadInt64BigEndian(data[(p - 8)..]);
                    return DateTime.UnixEpoch.AddSeconds(seconds).AddTicks(nanoseconds / 100);
                }

            default:
                throw new InvalidDataException($"MessagePack code 0x{code:x2} is not expected from the hub.");
        }
    }

    private static object?[] ReadArray(ReadOnlySpan<byte> data, ref int p, int count)
    {
        var items = new object?[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = Read(data, ref p);
        }

        return items;
    }

    private static Dictionary<string, object?> ReadMap(ReadOnlySpan<byte> data, ref int p, int count)
    {
        var map = new Dictionary<string, object?>();
        for (var i = 0; i < count; i++)
        {
            var key = (string)Read(data, ref p)!;
            map.Add(key, Read(data, ref p));
        }

        return map;
    }

    private static string ReadString(ReadOnlySpan<byte> data, ref int p, int length)
    {
        p += length;
        return Encoding.UTF8.GetString(data.Slice(p - length, length));
    }
}
