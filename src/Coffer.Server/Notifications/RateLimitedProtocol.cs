using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Notifications;

/// <summary>
/// SignalR's protocol resolver with every protocol (MessagePack and JSON) wrapped in <see cref="RateLimitedProtocol"/>.
/// Same lookup rule as SignalR's own resolver: by name, case-insensitive, among the hub's supported protocols.
/// </summary>
internal sealed class RateLimitedProtocols : IHubProtocolResolver
{
    private readonly Dictionary<string, IHubProtocol> byName;

    public RateLimitedProtocols(IEnumerable<IHubProtocol> protocols, IOptions<ServerOptions> options, TimeProvider time)
    {
        var perMinute = options.Value.Notifications.MaxIncomingMessagesPerMinute;
        byName = protocols.ToDictionary(p => p.Name, p => (IHubProtocol)new RateLimitedProtocol(p, perMinute, time), StringComparer.OrdinalIgnoreCase);
        AllProtocols = [.. byName.Values];
    }

    public IReadOnlyList<IHubProtocol> AllProtocols { get; }

    public IHubProtocol? GetProtocol(string protocolName, IReadOnlyList<string>? supportedProtocols) =>
        byName.TryGetValue(protocolName, out var protocol)
            && (supportedProtocols is null || supportedProtocols.Contains(protocolName, StringComparer.OrdinalIgnoreCase))
            ? protocol : null;
}

/// <summary>
/// Counts the messages a connection sends, pings included, and ends the connection (SignalR closes it with an error
/// on <see cref="InvalidDataException"/>) beyond <see cref="NotificationOptions.MaxIncomingMessagesPerMinute"/>: a
/// client pings every 15 s and invokes nothing, so a flood is abuse. A hub filter would see invocations only, never
/// pings. The count is per connection: SignalR parses each connection's input with a binder of its own, for the
/// connection's lifetime, which keys the count here.
/// </summary>
internal sealed class RateLimitedProtocol(IHubProtocol inner, int perMinute, TimeProvider time) : IHubProtocol
{
    private readonly ConditionalWeakTable<IInvocationBinder, Window> windows = [];

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        var window = windows.GetValue(binder, _ => new Window(time.GetTimestamp()));
        if (time.GetElapsedTime(window.Start) >= TimeSpan.FromMinutes(1))
        {
            window.Start = time.GetTimestamp();
            window.Count = 0;
        }

        return ++window.Count <= perMinute ? true : throw new InvalidDataException("Too many messages.");
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    private sealed class Window(long start)
    {
        public long Start { get; set; } = start;

        public int Count { get; set; }
    }
}
