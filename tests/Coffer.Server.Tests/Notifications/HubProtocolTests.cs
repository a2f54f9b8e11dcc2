using System.Buffers;
using System.Text;
using Coffer.Server.Notifications;

namespace Coffer.Server.Tests.Notifications;

/// <summary>Known answers for the hand-written MessagePack hub protocol: the worked examples of notifications doc §5 and the spec's encodings.</summary>
public sealed class HubProtocolTests
{
    private static readonly Guid UserId = Guid.Parse("4d8c1a5e-2b7f-4e0a-9c31-6f2e8b5d0a17");

    [Fact]
    public void SyncCipherUpdate_EncodesToTheDocsWorkedFrame()
    {
        // Doc §5.2: 226 bytes, a 2-byte length prefix (224) and the invocation.
        const string expected = """
            e0 01 95 01 80 c0 ae 52 65 63 65 69 76 65 4d 65 73 73 61 67 65 91 83 a9 43 6f 6e 74 65 78 74 49
            64 d9 24 30 63 31 64 32 65 33 66 2d 34 61 35 62 2d 34 63 36 64 2d 38 65 37 66 2d 39 30 31 61 32
            62 33 63 34 64 35 65 a4 54 79 70 65 00 a7 50 61 79 6c 6f 61 64 85 a2 49 64 d9 24 36 66 31 65 32
            64 33 63 2d 34 62 35 61 2d 34 39 37 38 2d 38 36 39 35 2d 61 34 62 33 63 32 64 31 65 30 66 39 a6
            55 73 65 72 49 64 d9 24 34 64 38 63 31 61 35 65 2d 32 62 37 66 2d 34 65 30 61 2d 39 63 33 31 2d
            36 66 32 65 38 62 35 64 30 61 31 37 ae 4f 72 67 61 6e 69 7a 61 74 69 6f 6e 49 64 c0 ad 43 6f 6c
            6c 65 63 74 69 6f 6e 49 64 73 c0 ac 52 65 76 69 73 69 6f 6e 44 61 74 65 d7 ff 1a b3 f0 00 6b 01
            ed 64
            """;
        var notification = new Notification(
            PushType.SyncCipherUpdate,
            UserId,
            new DateTime(2026, 11, 21, 19, 13, 40, 112, DateTimeKind.Utc),
            Guid.Parse("6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"),
            "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e");

        Assert.Equal(Hex(expected), Convert.ToHexStringLower(HubProtocol.MessagePack.Encode(notification)));
    }

    [Fact]
    public void LogOut_WithoutContext_EncodesToTheDocsWorkedFrame()
    {
        // Doc §5.3: 104 bytes, ContextId nil, a whole-second date as timestamp 32.
        const string expected = """
            67 95 01 80 c0 ae 52 65 63 65 69 76 65 4d 65 73 73 61 67 65 91 83 a9 43 6f 6e 74 65 78 74 49 64
            c0 a4 54 79 70 65 0b a7 50 61 79 6c 6f 61 64 82 a6 55 73 65 72 49 64 d9 24 34 64 38 63 31 61 35
            65 2d 32 62 37 66 2d 34 65 30 61 2d 39 63 33 31 2d 36 66 32 65 38 62 35 64 30 61 31 37 a4 44 61
            74 65 d6 ff 6b 01 ee e0
            """;
        var notification = new Notification(PushType.LogOut, UserId, new DateTime(2026, 11, 21, 19, 20, 0, DateTimeKind.Utc));

        Assert.Equal(Hex(expected), Convert.ToHexStringLower(HubProtocol.MessagePack.Encode(notification)));
    }

    [Fact]
    public void PingAndClose_AreTheDocsFrames()
    {
        Assert.Equal("029106", Convert.ToHexStringLower(HubProtocol.MessagePack.Ping.Span));
        Assert.Equal("049307c0c2", Convert.ToHexStringLower(HubProtocol.MessagePack.Close.Span));
        Assert.Equal("7b7d1e", Convert.ToHexStringLower(HubProtocol.HandshakeAccepted.Span));
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(127L, "7f")]
    [InlineData(128L, "cc80")]
    [InlineData(255L, "ccff")]
    [InlineData(256L, "cd0100")]
    [InlineData(65535L, "cdffff")]
    [InlineData(65536L, "ce00010000")]
    [InlineData(4294967295L, "ceffffffff")]
    public void Integer_UsesTheShortestEncoding(long value, string expected)
    {
        Assert.Equal(expected, Write(w => w.WriteInteger(value)));
    }

    [Fact]
    public void Integer_NegativeOrBeyondUInt32_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Write(w => w.WriteInteger(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Write(w => w.WriteInteger(4294967296L)));
    }

    [Theory]
    [InlineData(0, "a0")]
    [InlineData(31, "bf")]
    [InlineData(32, "d920")]
    [InlineData(255, "d9ff")]
    [InlineData(256, "da0100")]
    [InlineData(65536, "db00010000")]
    public void String_HeaderFollowsTheUtf8Length(int length, string expectedHeader)
    {
        var encoded = Write(w => w.WriteString(new string('x', length)));

        Assert.Equal(expectedHeader + string.Concat(Enumerable.Repeat("78", length)), encoded);
    }

    [Fact]
    public void String_CountsUtf8BytesNotCharacters()
    {
        Assert.Equal("a3e282ac", Write(w => w.WriteString("€")));
    }

    [Theory]
    [InlineData(0, "90", "80")]
    [InlineData(15, "9f", "8f")]
    [InlineData(16, "dc0010", "de0010")]
    [InlineData(65536, "dd00010000", "df00010000")]
    public void ArrayAndMapHeaders_UseTheShortestForm(int count, string array, string map)
    {
        Assert.Equal(array, Write(w => w.WriteArrayHeader(count)));
        Assert.Equal(map, Write(w => w.WriteMapHeader(count)));
    }

    [Fact]
    public void NilAndBooleans_AreSingleBytes()
    {
        Assert.Equal("c0c2c3", Write(w =>
        {
            w.WriteNil();
            w.WriteBoolean(false);
            w.WriteBoolean(true);
        }));
    }

    [Theory]
    [InlineData("1970-01-01T00:00:00.0000000Z", "d6ff00000000")]
    [InlineData("2106-02-07T06:28:15.0000000Z", "d6ffffffffff")]
    [InlineData("2106-02-07T06:28:16.0000000Z", "d7ff0000000100000000")]
    [InlineData("1970-01-01T00:00:00.0000001Z", "d7ff0000019000000000")]
    [InlineData("2514-05-30T01:53:04.0000000Z", "c70cff000000000000000400000000")]
    [InlineData("1969-12-31T23:59:59.9000000Z", "c70cff35a4e900ffffffffffffffff")]
    public void Timestamp_Uses32Then64Then96Bits(string instant, string expected)
    {
        var utc = DateTime.Parse(instant, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);

        Assert.Equal(expected, Write(w => w.WriteTimestamp(utc)));
    }

    [Theory]
    [InlineData("029106", 1, false)]
    [InlineData("039207c0", 1, true)]
    [InlineData("049307c0c2", 1, true)]
    [InlineData("029106039207c0", 2, true)]
    [InlineData("03920101", 1, false)]
    public void Parse_CountsMessagesAndFindsClose(string frame, int messages, bool close)
    {
        Assert.Equal((messages, close), HubProtocol.MessagePack.Parse(Convert.FromHexString(frame)));
    }

    [Theory]
    [InlineData("00")]
    [InlineData("029206")]
    [InlineData("0290")]
    [InlineData("0391a5")]
    [InlineData("ffffffffff01")]
    [InlineData("039207d9")]
    [InlineData("0291c0")]
    [InlineData("03910600")]
    public void Parse_MalformedFrame_Throws(string frame)
    {
        Assert.Throws<InvalidDataException>(() => HubProtocol.MessagePack.Parse(Convert.FromHexString(frame)));
    }

    [Fact]
    public void JsonProtocol_ParsesPingAndClose_AndRefusesGarbage()
    {
        Assert.Equal((2, true), HubProtocol.Json.Parse("{\"type\":6}\u001e{\"type\":7}\u001e"u8));
        Assert.Throws<InvalidDataException>(() => HubProtocol.Json.Parse("{\"type\":6}"u8));
        Assert.Throws<InvalidDataException>(() => HubProtocol.Json.Parse("[6]\u001e"u8));
        Assert.Throws<InvalidDataException>(() => HubProtocol.Json.Parse("{\"type\":\u001e"u8));
    }

    [Fact]
    public void Handshake_AcceptsBothProtocolsInVersion1()
    {
        Assert.Same(HubProtocol.MessagePack, HubProtocol.ReadHandshake("{\"protocol\":\"messagepack\",\"version\":1}\u001e"u8).Protocol);
        Assert.Same(HubProtocol.Json, HubProtocol.ReadHandshake("{\"version\":1,\"protocol\":\"json\"}\u001e"u8).Protocol);
        Assert.Null(HubProtocol.ReadHandshake("{\"protocol\":\"json\",\"version\":1}\u001e{}\u001e"u8).Protocol);
        Assert.Null(HubProtocol.ReadHandshake("{\"protocol\":1,\"version\":1}\u001e"u8).Protocol);
        Assert.Null(HubProtocol.ReadHandshake("\u001e"u8).Protocol);
    }

    [Fact]
    public void Notification_OfTheMaximumDeviceIdentifier_FitsAPostgresNotify()
    {
        var notification = new Notification(PushType.SyncCipherUpdate, UserId, DateTime.UnixEpoch, Guid.Empty, new string('\u2028', 128));

        var payload = System.Text.Json.JsonSerializer.Serialize(new BusMessage(Guid.Empty, notification), BusJson.Default.BusMessage);

        Assert.InRange(Encoding.UTF8.GetByteCount(payload), 1, 7999);
        Assert.Equal(notification, System.Text.Json.JsonSerializer.Deserialize(payload, BusJson.Default.BusMessage)!.Notification);
    }

    private static string Write(Action<MessagePackWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new MessagePackWriter(buffer));
        return Convert.ToHexStringLower(buffer.WrittenSpan);
    }

    private static string Hex(string spaced) => string.Concat(spaced.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
}
