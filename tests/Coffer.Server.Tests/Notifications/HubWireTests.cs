using System.Text;
using Coffer.Server.Notifications;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Notifications;

/// <summary>What goes on the wire: the server's MessagePack frames against the worked examples of notifications doc §5.</summary>
public sealed class HubWireTests
{
    private const string UserId = "4d8c1a5e-2b7f-4e0a-9c31-6f2e8b5d0a17";

    [Theory]
    [InlineData(
        "SyncCipherUpdate, doc §5.2: 226 bytes, a 2-byte length prefix (224), timestamp 64",
        """
        e0 01 95 01 80 c0 ae 52 65 63 65 69 76 65 4d 65 73 73 61 67 65 91 83 a9 43 6f 6e 74 65 78 74 49
        64 d9 24 30 63 31 64 32 65 33 66 2d 34 61 35 62 2d 34 63 36 64 2d 38 65 37 66 2d 39 30 31 61 32
        62 33 63 34 64 35 65 a4 54 79 70 65 00 a7 50 61 79 6c 6f 61 64 85 a2 49 64 d9 24 36 66 31 65 32
        64 33 63 2d 34 62 35 61 2d 34 39 37 38 2d 38 36 39 35 2d 61 34 62 33 63 32 64 31 65 30 66 39 a6
        55 73 65 72 49 64 d9 24 34 64 38 63 31 61 35 65 2d 32 62 37 66 2d 34 65 30 61 2d 39 63 33 31 2d
        36 66 32 65 38 62 35 64 30 61 31 37 ae 4f 72 67 61 6e 69 7a 61 74 69 6f 6e 49 64 c0 ad 43 6f 6c
        6c 65 63 74 69 6f 6e 49 64 73 c0 ac 52 65 76 69 73 69 6f 6e 44 61 74 65 d7 ff 1a b3 f0 00 6b 01
        ed 64
        """)]
    [InlineData(
        "LogOut, doc §5.3: 104 bytes, ContextId nil, a whole-second date as timestamp 32",
        """
        67 95 01 80 c0 ae 52 65 63 65 69 76 65 4d 65 73 73 61 67 65 91 83 a9 43 6f 6e 74 65 78 74 49 64
        c0 a4 54 79 70 65 0b a7 50 61 79 6c 6f 61 64 82 a6 55 73 65 72 49 64 d9 24 34 64 38 63 31 61 35
        65 2d 32 62 37 66 2d 34 65 30 61 2d 39 63 33 31 2d 36 66 32 65 38 62 35 64 30 61 31 37 a4 44 61
        74 65 d6 ff 6b 01 ee e0
        """)]
    public async Task Notification_IsSentAsTheDocsWorkedFrame(string example, string expected)
    {
        await using var factory = new CofferFactory();
        var notification = example.StartsWith("SyncCipherUpdate", StringComparison.Ordinal)
            ? new Notification(
                PushType.SyncCipherUpdate,
                Guid.Parse(UserId),
                new DateTime(2026, 11, 21, 19, 13, 40, 112, DateTimeKind.Utc),
                Guid.Parse("6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"),
                "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e")
            : new Notification(PushType.LogOut, Guid.Parse(UserId), new DateTime(2026, 11, 21, 19, 20, 0, DateTimeKind.Utc));
        // The server's own protocol, as a connection that asked for messagepack gets it, and the message SignalR
        // builds for IHubContext.Clients.Client(id).SendAsync(target, argument).
        var protocol = factory.Services.GetRequiredService<IHubProtocolResolver>().GetProtocol("messagepack", null)!;

        var frame = protocol.GetMessageBytes(new InvocationMessage(NotificationsHub.Target, [notification.Message()]));

        Assert.Equal(Convert.ToHexStringLower(AsSignalRWritesIt(Convert.FromHexString(string.Concat(expected.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))))), Convert.ToHexStringLower(frame.Span));
    }

    /// <summary>
    /// The doc's frame as SignalR writes the invocation: with its sixth element, the stream ids (an empty array,
    /// <c>90</c>), which doc §3.3 allows and the official client reads, so the array header is <c>96</c> and the
    /// length prefix one more. Every byte of the notification itself is the doc's.
    /// </summary>
    private static byte[] AsSignalRWritesIt(byte[] docFrame)
    {
        var prefix = docFrame[0] < 0x80 ? 1 : 2;
        byte[] body = [0x96, .. docFrame[(prefix + 1)..], 0x90];
        Assert.Equal(0x95, docFrame[prefix]);
        Assert.InRange(body.Length, 1, 0x3fff);
        byte[] length = body.Length < 0x80 ? [(byte)body.Length] : [(byte)(body.Length | 0x80), (byte)(body.Length >> 7)];
        return [.. length, .. body];
    }

    [Fact]
    public void Notification_OfTheMaximumDeviceIdentifier_FitsAPostgresNotify()
    {
        var notification = new Notification(PushType.SyncCipherUpdate, Guid.Parse(UserId), DateTime.UnixEpoch, Guid.Empty, new string('\u2028', 128));

        var payload = System.Text.Json.JsonSerializer.Serialize(new BusMessage(Guid.Empty, notification), BusJson.Default.BusMessage);

        Assert.InRange(Encoding.UTF8.GetByteCount(payload), 1, 7999);
        Assert.Equal(notification, System.Text.Json.JsonSerializer.Deserialize(payload, BusJson.Default.BusMessage)!.Notification);
    }
}
