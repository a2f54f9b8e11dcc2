namespace Coffer.Server.Notifications;

/// <summary>
/// Section <c>Coffer:Notifications</c>: the bounds of the live-sync hubs. Every connection costs a socket, a small
/// few buffers and a timer, so each user, each client address on the anonymous hub and the node as a whole get a
/// cap. The anonymous hub has budgets of its own, so clients without an account can never crowd out signed-in users.
/// </summary>
public sealed class NotificationOptions
{
    /// <summary>Open hub connections per account on this node (devices and browser tabs).</summary>
    public int MaxConnectionsPerUser { get; set; } = 20;

    /// <summary>
    /// Open connections to the anonymous hub per client address on this node (Vaultwarden allows 25); an IPv6 client
    /// counts by its /64, as <see cref="Abuse.ClientAddress"/> groups addresses.
    /// </summary>
    public int MaxAnonymousConnectionsPerAddress { get; set; } = 25;

    /// <summary>Open connections to the signed-in hub on this node.</summary>
    public int MaxConnections { get; set; } = 5000;

    /// <summary>Open connections to the anonymous hub on this node, apart from <see cref="MaxConnections"/>.</summary>
    public int MaxAnonymousConnections { get; set; } = 500;

    /// <summary>Seconds a client has, after the upgrade, to send its handshake (SignalR's default is 15).</summary>
    public int HandshakeTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// Seconds between server pings when nothing else was sent. Clients drop a connection that is silent for 30 s
    /// (notifications doc §3.1 step 6), so 1–25.
    /// </summary>
    public int PingSeconds { get; set; } = 15;

    /// <summary>Largest incoming hub message in bytes; clients only send a handshake, pings and close (upstream allows 4096).</summary>
    public int MaxIncomingMessageBytes { get; set; } = 4096;

    /// <summary>Incoming hub messages per minute before the connection is closed; a client pings at most every 15 s.</summary>
    public int MaxIncomingMessagesPerMinute { get; set; } = 60;

    /// <summary>Notifications in flight to one connection; a client that falls this far behind is disconnected, not waited for.</summary>
    public int MaxQueuedMessages { get; set; } = 64;

    /// <summary>
    /// Milliseconds between a node's reads of the <c>notifications</c> table on MySQL or MariaDB (50–1000, default
    /// 250): how long, beyond two round trips to the database, another node's change may wait before it reaches this
    /// node's connections (<see cref="MySqlNotificationBus"/>). PostgreSQL pushes instead, and SQLite has one node.
    /// </summary>
    public int PollMilliseconds { get; set; } = 250;

    internal IEnumerable<string> Validate()
    {
        if (PollMilliseconds is < 50 or > 1000)
        {
            yield return "Coffer:Notifications:PollMilliseconds must be 50–1000.";
        }

        if (MaxConnectionsPerUser is < 1 or > 1000 || MaxAnonymousConnectionsPerAddress is < 1 or > 1000
            || MaxConnections is < 1 or > 1_000_000 || MaxAnonymousConnections is < 1 or > 1_000_000)
        {
            yield return "Coffer:Notifications: MaxConnectionsPerUser and MaxAnonymousConnectionsPerAddress must be 1–1000, MaxConnections and MaxAnonymousConnections 1–1000000.";
        }

        if (HandshakeTimeoutSeconds is < 1 or > 120)
        {
            yield return "Coffer:Notifications:HandshakeTimeoutSeconds must be 1–120.";
        }

        if (PingSeconds is < 1 or > 25)
        {
            yield return "Coffer:Notifications:PingSeconds must be 1–25 (clients give up after 30 s of silence).";
        }

        if (MaxIncomingMessageBytes is < 256 or > 65536 || MaxIncomingMessagesPerMinute is < 4 or > 6000 || MaxQueuedMessages is < 1 or > 10000)
        {
            yield return "Coffer:Notifications: MaxIncomingMessageBytes must be 256–65536, MaxIncomingMessagesPerMinute 4–6000, MaxQueuedMessages 1–10000.";
        }
    }
}
