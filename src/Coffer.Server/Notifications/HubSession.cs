using System.Net.WebSockets;

namespace Coffer.Server.Notifications;

/// <summary>
/// Runs one accepted hub WebSocket (notifications doc §3.1): reads the handshake within the timeout, then sends
/// queued notifications and a Ping after each quiet <see cref="NotificationOptions.PingSeconds"/>, while it reads
/// the client's pings. One sender at a time, as <see cref="WebSocket"/> requires. The client is disconnected for
/// a message over <see cref="NotificationOptions.MaxIncomingMessageBytes"/>, more than
/// <see cref="NotificationOptions.MaxIncomingMessagesPerMinute"/>, malformed framing, or a send that stalls.
/// </summary>
internal sealed partial class HubSession(WebSocket socket, HubConnection connection, NotificationOptions limits, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken requestAborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, connection.Aborted);
        var buffer = new byte[limits.MaxIncomingMessageBytes];
        try
        {
            if (await HandshakeAsync(buffer, stop.Token) is not { } protocol)
            {
                return;
            }

            var receiving = ReceiveLoopAsync(protocol, buffer, stop.Token);
            var sending = SendLoopAsync(protocol, stop.Token);
            if (await Task.WhenAny(receiving, sending) == receiving)
            {
                var (status, reason) = await receiving;
                await stop.CancelAsync();
                await Quietly(sending);
                LogClosed(status, reason);
                await CloseAsync(status, reason);
            }
            else
            {
                // The server ended the session (LogOut) and sent its close: give the client a moment to answer it.
                await Quietly(sending);
                stop.CancelAfter(CloseTimeout);
                await Quietly(receiving);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away or the connection was aborted; nothing to tell anyone.
        }
        finally
        {
            if (socket.State is not WebSocketState.Closed)
            {
                socket.Abort();
            }
        }
    }

    private async Task<HubProtocol?> HandshakeAsync(byte[] buffer, CancellationToken ct)
    {
        int length;
        var receiving = ReceiveAsync(buffer, ct);
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var timeout = Task.Delay(TimeSpan.FromSeconds(limits.HandshakeTimeoutSeconds), time, waiting.Token);
            if (await Task.WhenAny(receiving, timeout) != receiving)
            {
                // Close politely while the read is still pending (one read and one write may overlap); cancelling
                // the read instead would abort the socket without telling the client why.
                _ = receiving.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                LogClosed(WebSocketCloseStatus.PolicyViolation, "handshake timeout");
                await CloseAsync(WebSocketCloseStatus.PolicyViolation, "Handshake timeout.");
                return null;
            }

            await waiting.CancelAsync();
            (_, length) = await receiving;
        }

        if (length <= 0)
        {
            await CloseAsync(length < 0 ? WebSocketCloseStatus.MessageTooBig : WebSocketCloseStatus.NormalClosure, "No handshake.");
            return null;
        }

        var (protocol, error) = HubProtocol.ReadHandshake(buffer.AsSpan(0, length));
        if (protocol is null)
        {
            await SendAsync(HubProtocol.HandshakeError(error!), WebSocketMessageType.Text, ct);
            await CloseAsync(WebSocketCloseStatus.NormalClosure, "Handshake refused.");
            return null;
        }

        // Set before the answer, so nothing published from here on is missed; the send loop starts after it.
        connection.Protocol = protocol;
        await SendAsync(HubProtocol.HandshakeAccepted, protocol.FrameType, ct);
        return protocol;
    }

    private async Task<(WebSocketCloseStatus Status, string Reason)> ReceiveLoopAsync(HubProtocol protocol, byte[] buffer, CancellationToken ct)
    {
        var windowStart = time.GetTimestamp();
        var received = 0;
        while (true)
        {
            var (type, length) = await ReceiveAsync(buffer, ct);
            if (type == WebSocketMessageType.Close)
            {
                return (WebSocketCloseStatus.NormalClosure, "");
            }

            if (length < 0)
            {
                return (WebSocketCloseStatus.MessageTooBig, "Message too large.");
            }

            if (type != protocol.FrameType)
            {
                return (WebSocketCloseStatus.InvalidMessageType, $"The {protocol.Name} protocol uses {protocol.FrameType} frames.");
            }

            int messages;
            bool close;
            try
            {
                (messages, close) = protocol.Parse(buffer.AsSpan(0, length));
            }
            catch (InvalidDataException)
            {
                return (WebSocketCloseStatus.ProtocolError, "Malformed hub message.");
            }

            if (time.GetElapsedTime(windowStart) >= TimeSpan.FromMinutes(1))
            {
                windowStart = time.GetTimestamp();
                received = 0;
            }

            // Frames without a message count too, or empty frames would be free.
            received += Math.Max(messages, 1);
            if (received > limits.MaxIncomingMessagesPerMinute)
            {
                return (WebSocketCloseStatus.PolicyViolation, "Too many messages.");
            }

            if (close)
            {
                return (WebSocketCloseStatus.NormalClosure, "");
            }
        }
    }

    private async Task SendLoopAsync(HubProtocol protocol, CancellationToken ct)
    {
        var outbox = connection.Outbox;
        var ping = TimeSpan.FromSeconds(limits.PingSeconds);
        while (true)
        {
            bool open;
            using (var quiet = new CancellationTokenSource(ping, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, quiet.Token))
            {
                try
                {
                    open = await outbox.WaitToReadAsync(linked.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await SendAsync(protocol.Ping, protocol.FrameType, ct);
                    continue;
                }
            }

            if (!open)
            {
                // An abort completes the queue too; only a deliberate end closes politely.
                ct.ThrowIfCancellationRequested();
                await SendAsync(protocol.Close, protocol.FrameType, ct);
                await CloseAsync(WebSocketCloseStatus.NormalClosure, "Session ended.");
                return;
            }

            while (outbox.TryRead(out var frame))
            {
                await SendAsync(frame, protocol.FrameType, ct);
            }
        }
    }

    /// <summary>One whole message into <paramref name="buffer"/>; length −1 when it does not fit.</summary>
    private async Task<(WebSocketMessageType Type, int Length)> ReceiveAsync(byte[] buffer, CancellationToken ct)
    {
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                return (WebSocketMessageType.Binary, -1);
            }

            var result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, 0);
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return (result.MessageType, length);
            }
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> frame, WebSocketMessageType type, CancellationToken ct)
    {
        // A client that stops reading must not hold its connection's resources forever.
        using var timeout = new CancellationTokenSource(SendTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        await socket.SendAsync(frame, type, endOfMessage: true, linked.Token);
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(CloseTimeout, time);
            await socket.CloseOutputAsync(status, reason, timeout.Token);
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Already ending; the outcome that matters was taken from the other loop.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hub connection closed: {Status} {Reason}")]
    private partial void LogClosed(WebSocketCloseStatus status, string reason);
}
