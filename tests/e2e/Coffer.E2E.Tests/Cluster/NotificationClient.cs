using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Coffer.E2E.Tests.Cluster;

/// <summary>One notification as the hub delivered it (protocol notifications doc §4).</summary>
public sealed record HubNotification(string? ContextId, int Type, JsonElement Payload)
{
    /// <summary>A payload value as text, its key matched case-insensitively as the clients do (doc §4).</summary>
    public string? PayloadText(string name) =>
        Payload.ValueKind == JsonValueKind.Object
            ? Payload.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value.ToString()).FirstOrDefault()
            : null;
}

/// <summary>
/// A SignalR client of /notifications/hub over a raw WebSocket with the JSON hub protocol: handshake
/// <c>{"protocol":"json","version":1}␞</c>, then text frames of ␞-terminated JSON messages, of which invocations
/// (type 1) of target <c>ReceiveMessage</c> carry the notification. Pings (type 6) are skipped. The test CA is
/// the only trust anchor, as for every other client here.
/// </summary>
public sealed class NotificationClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';

    private readonly ClientWebSocket socket;
    private readonly Channel<HubNotification> received = Channel.CreateUnbounded<HubNotification>();
    private readonly CancellationTokenSource closing = new();
    private readonly StringBuilder pending = new();
    private Task reading = Task.CompletedTask;

    private NotificationClient(ClientWebSocket socket) => this.socket = socket;

    /// <summary>Everything the connection saw that was not a notification (handshake answer, closes, errors).</summary>
    public List<string> Transcript { get; } = [];

    public static async Task<NotificationClient> ConnectAsync(TestCertificates certificates, Uri server, string accessToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, errors) => certificates.IsTrusted(certificate, errors);
        var client = new NotificationClient(socket);
        try
        {
            var scheme = server.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
            var hub = new Uri($"{scheme}://{server.Authority}/notifications/hub?access_token={Uri.EscapeDataString(accessToken)}");
            using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(hub, connect.Token);
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}" + RecordSeparator), WebSocketMessageType.Text, true, connect.Token);
            var handshake = await client.ReadRecordAsync(connect.Token)
                ?? throw new InvalidOperationException("The hub closed the connection during the handshake.");
            using var answer = JsonDocument.Parse(handshake);
            if (answer.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"The hub refused the JSON protocol: {error}");
            }

            client.reading = Task.Run(client.ReadLoopAsync);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>The first notification that matches, skipping others; fails when none arrives in <paramref name="timeout"/>.</summary>
    public async Task<HubNotification> WaitForAsync(Func<HubNotification, bool> match, TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        var seen = new List<HubNotification>();
        try
        {
            while (true)
            {
                var notification = await received.Reader.ReadAsync(wait.Token);
                if (match(notification))
                {
                    return notification;
                }

                seen.Add(notification);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException(
                $"No matching notification within {timeout.TotalSeconds} s. Other notifications: [{string.Join(", ", seen)}]; " +
                $"connection: [{string.Join(" | ", Transcript)}]");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync();
        try
        {
            await reading;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The read loop ends this way when the socket is torn down under it.
        }

        socket.Dispose();
        closing.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await ReadRecordAsync(closing.Token) is { } record)
            {
                using var message = JsonDocument.Parse(record);
                var root = message.RootElement;
                var type = root.TryGetProperty("type", out var t) ? t.GetInt32() : -1;
                if (type == 1 && root.GetProperty("target").GetString() == "ReceiveMessage")
                {
                    var argument = root.GetProperty("arguments")[0];
                    await received.Writer.WriteAsync(Parse(argument));
                }
                else if (type != 6)
                {
                    lock (Transcript)
                    {
                        Transcript.Add(record);
                    }
                }
            }
        }
        finally
        {
            received.Writer.TryComplete();
        }
    }

    private static HubNotification Parse(JsonElement notification)
    {
        JsonElement Property(string name) =>
            notification.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value;
        var context = Property("ContextId");
        var payload = Property("Payload");
        if (payload.ValueKind == JsonValueKind.String)
        {
            // The clients accept a payload sent as a JSON string too (notifications doc §4).
            payload = JsonDocument.Parse(payload.GetString()!).RootElement.Clone();
        }

        return new HubNotification(
            context.ValueKind == JsonValueKind.String ? context.GetString() : null, Property("Type").GetInt32(), payload.Clone());
    }

    /// <summary>The next ␞-terminated record, reading more frames as needed; null once the server closes.</summary>
    private async Task<string?> ReadRecordAsync(CancellationToken ct)
    {
        var buffer = new byte[8192];
        while (true)
        {
            var text = pending.ToString();
            var end = text.IndexOf(RecordSeparator, StringComparison.Ordinal);
            if (end >= 0)
            {
                pending.Remove(0, end + 1);
                return text[..end];
            }

            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                lock (Transcript)
                {
                    Transcript.Add($"closed by server: {result.CloseStatus} {result.CloseStatusDescription}");
                }

                return null;
            }

            pending.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }
}
