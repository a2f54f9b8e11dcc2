using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace Coffer.Server.Notifications;

/// <summary>
/// The SignalR hub protocols spoken on <c>/notifications/hub</c> (notifications doc §3): <c>messagepack</c>, which
/// every official Bitwarden client insists on, and <c>json</c>, the SignalR default that generic tools use. Only
/// the messages a notification hub needs exist here: Invocation (type 1), Ping (6) and Close (7) out; Ping and
/// Close in. Every other incoming message is counted and ignored, as Bitwarden clients never invoke hub methods.
/// </summary>
internal abstract class HubProtocol
{
    public const byte RecordSeparator = 0x1e;

    /// <summary>The client method every notification invokes (doc §3.3).</summary>
    public const string Target = "ReceiveMessage";

    private const int PingType = 6;
    private const int CloseType = 7;

    public static readonly HubProtocol MessagePack = new MessagePackProtocol();
    public static readonly HubProtocol Json = new JsonProtocol();

    /// <summary><c>{}␞</c>: handshake accepted (doc §3.1 step 3).</summary>
    public static ReadOnlyMemory<byte> HandshakeAccepted { get; } = "{}\u001e"u8.ToArray();

    public abstract string Name { get; }

    /// <summary>Binary for MessagePack; a text frame after the handshake would make the client give up (doc §3.1 step 4).</summary>
    public abstract WebSocketMessageType FrameType { get; }

    public abstract ReadOnlyMemory<byte> Ping { get; }

    /// <summary>Close without an error, reconnect not suggested: the client keeps its own reconnect schedule.</summary>
    public abstract ReadOnlyMemory<byte> Close { get; }

    public abstract byte[] Encode(Notification notification);

    /// <summary>
    /// Parses a whole incoming frame into messages. Returns how many it held and whether one was Close; throws
    /// <see cref="InvalidDataException"/> on malformed framing.
    /// </summary>
    public abstract (int Messages, bool Close) Parse(ReadOnlySpan<byte> frame);

    /// <summary>
    /// Reads the handshake request <c>{"protocol":"…","version":1}␞</c>. Returns the protocol, or null and the
    /// error text for the <c>{"error":"…"}␞</c> answer.
    /// </summary>
    public static (HubProtocol? Protocol, string? Error) ReadHandshake(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 2 || frame[^1] != RecordSeparator || frame[..^1].Contains(RecordSeparator))
        {
            return (null, "The handshake must be one JSON object followed by the record separator.");
        }

        try
        {
            var reader = new Utf8JsonReader(frame[..^1], new JsonReaderOptions { MaxDepth = 4 });
            using var request = JsonDocument.ParseValue(ref reader);
            var root = request.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("protocol", out var name) || name.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var number))
            {
                return (null, "The handshake must name a protocol and a version.");
            }

            HubProtocol? protocol = name.GetString() switch
            {
                "messagepack" => MessagePack,
                "json" => Json,
                _ => null,
            };
            // Version 2 means stateful reconnect, which only a negotiate response can offer; Coffer has none.
            return protocol is null ? (null, $"The protocol '{name.GetString()}' is not supported.")
                : number != 1 ? (null, $"Version {number} of the protocol '{protocol.Name}' is not supported.")
                : (protocol, null);
        }
        catch (JsonException)
        {
            return (null, "The handshake is not valid JSON.");
        }
    }

    /// <summary><c>{"error":"…"}␞</c>: the client reports the text and does not retry until its next scheduled reconnect.</summary>
    public static byte[] HandshakeError(string error)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("error", error);
            json.WriteEndObject();
        }

        buffer.GetSpan(1)[0] = RecordSeparator;
        buffer.Advance(1);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Length-prefixed MessagePack arrays in binary frames (doc §3.2, §3.3, §5).</summary>
    private sealed class MessagePackProtocol : HubProtocol
    {
        // At most 5 bytes of 7 bits: SignalR's BinaryMessageFormat caps a message at 2 GiB.
        private const int MaxVarintBytes = 5;

        public override string Name => "messagepack";

        public override WebSocketMessageType FrameType => WebSocketMessageType.Binary;

        public override ReadOnlyMemory<byte> Ping { get; } = new byte[] { 0x02, 0x91, PingType };

        public override ReadOnlyMemory<byte> Close { get; } = new byte[] { 0x04, 0x93, CloseType, 0xc0, 0xc2 };

        public override byte[] Encode(Notification notification)
        {
            var body = new ArrayBufferWriter<byte>(256);
            var writer = new MessagePackWriter(body);
            writer.WriteArrayHeader(5);
            writer.WriteInteger(1);
            writer.WriteMapHeader(0);
            writer.WriteNil();
            writer.WriteString(Target);
            writer.WriteArrayHeader(1);
            writer.WriteMapHeader(3);
            writer.WriteString("ContextId");
            WriteValue(writer, notification.ContextId);
            writer.WriteString("Type");
            writer.WriteInteger((int)notification.Type);
            writer.WriteString("Payload");
            var payload = notification.Payload();
            writer.WriteMapHeader(payload.Count);
            foreach (var (key, value) in payload)
            {
                writer.WriteString(key);
                WriteValue(writer, value);
            }

            return Frame(body.WrittenSpan);
        }

        public override (int Messages, bool Close) Parse(ReadOnlySpan<byte> frame)
        {
            var (messages, close) = (0, false);
            while (!frame.IsEmpty)
            {
                var length = ReadVarint(ref frame);
                if (length == 0 || length > frame.Length)
                {
                    throw new InvalidDataException("A message length does not match the frame.");
                }

                var reader = new MessagePackReader(frame[..length]);
                var count = reader.ReadArrayHeader();
                if (count == 0)
                {
                    throw new InvalidDataException("A hub message is an array that starts with its type.");
                }

                var type = reader.ReadInteger();
                if (type is PingType or CloseType)
                {
                    // Ping is [6]; Close is [7, error?, allowReconnect?]: scalars only, and nothing after them.
                    for (var i = 1; i < count; i++)
                    {
                        reader.SkipScalar();
                    }

                    if (!reader.End)
                    {
                        throw new InvalidDataException("A hub message has bytes beyond its array.");
                    }
                }

                close |= type == CloseType;
                messages++;
                frame = frame[length..];
            }

            return (messages, close);
        }

        private static byte[] Frame(ReadOnlySpan<byte> body)
        {
            Span<byte> prefix = stackalloc byte[MaxVarintBytes];
            var used = 0;
            var remaining = (uint)body.Length;
            do
            {
                var group = (byte)(remaining & 0x7f);
                remaining >>= 7;
                prefix[used++] = remaining == 0 ? group : (byte)(group | 0x80);
            }
            while (remaining != 0);

            var frame = new byte[used + body.Length];
            prefix[..used].CopyTo(frame);
            body.CopyTo(frame.AsSpan(used));
            return frame;
        }

        private static int ReadVarint(ref ReadOnlySpan<byte> frame)
        {
            long value = 0;
            for (var i = 0; i < MaxVarintBytes; i++)
            {
                if (i == frame.Length)
                {
                    throw new InvalidDataException("A message length prefix is truncated.");
                }

                var b = frame[i];
                value |= (long)(b & 0x7f) << (7 * i);
                if ((b & 0x80) == 0)
                {
                    frame = frame[(i + 1)..];
                    return value > int.MaxValue ? throw new InvalidDataException("A message length is out of range.") : (int)value;
                }
            }

            throw new InvalidDataException("A message length prefix is longer than 5 bytes.");
        }

        private static void WriteValue(MessagePackWriter writer, object? value)
        {
            switch (value)
            {
                case null:
                    writer.WriteNil();
                    break;
                case string s:
                    writer.WriteString(s);
                    break;
                case Guid g:
                    writer.WriteString(g.ToString());
                    break;
                case DateTime d:
                    writer.WriteTimestamp(d);
                    break;
                default:
                    throw new NotSupportedException($"A notification value of type {value.GetType()} has no encoding.");
            }
        }
    }

    /// <summary>JSON objects, each followed by the record separator, in text frames (SignalR's JSON hub protocol).</summary>
    private sealed class JsonProtocol : HubProtocol
    {
        public override string Name => "json";

        public override WebSocketMessageType FrameType => WebSocketMessageType.Text;

        public override ReadOnlyMemory<byte> Ping { get; } = "{\"type\":6}\u001e"u8.ToArray();

        public override ReadOnlyMemory<byte> Close { get; } = "{\"type\":7,\"allowReconnect\":false}\u001e"u8.ToArray();

        public override byte[] Encode(Notification notification)
        {
            var buffer = new ArrayBufferWriter<byte>(512);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("type", 1);
                json.WriteString("target", Target);
                json.WriteStartArray("arguments");
                json.WriteStartObject();
                json.WriteString("ContextId", notification.ContextId);
                json.WriteNumber("Type", (int)notification.Type);
                json.WriteStartObject("Payload");
                foreach (var (key, value) in notification.Payload())
                {
                    switch (value)
                    {
                        case null:
                            json.WriteNull(key);
                            break;
                        case Guid g:
                            json.WriteString(key, g);
                            break;
                        case DateTime d:
                            json.WriteString(key, DateTime.SpecifyKind(d, DateTimeKind.Utc));
                            break;
                        default:
                            json.WriteString(key, (string)value);
                            break;
                    }
                }

                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            }

            buffer.GetSpan(1)[0] = RecordSeparator;
            buffer.Advance(1);
            return buffer.WrittenSpan.ToArray();
        }

        public override (int Messages, bool Close) Parse(ReadOnlySpan<byte> frame)
        {
            if (frame.IsEmpty || frame[^1] != RecordSeparator)
            {
                throw new InvalidDataException("A JSON hub message must end with the record separator.");
            }

            var (messages, close) = (0, false);
            foreach (var range in frame[..^1].Split(RecordSeparator))
            {
                try
                {
                    var reader = new Utf8JsonReader(frame[range], new JsonReaderOptions { MaxDepth = 8 });
                    using var message = JsonDocument.ParseValue(ref reader);
                    if (message.RootElement.ValueKind != JsonValueKind.Object
                        || !message.RootElement.TryGetProperty("type", out var type) || !type.TryGetInt32(out var number))
                    {
                        throw new InvalidDataException("A JSON hub message must be an object with a numeric type.");
                    }

                    close |= number == CloseType;
                    messages++;
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException("A JSON hub message is not valid JSON.", e);
                }
            }

            return (messages, close);
        }
    }
}
