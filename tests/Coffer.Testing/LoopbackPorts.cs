using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Coffer.Testing;

/// <summary>
/// Ports for the child servers tests start on 127.0.0.1 (PostgreSQL, nginx, the mail sink, a server restarted on its
/// old port). A port the kernel hands out for port 0 lies in the ephemeral range (32768–60999 on Linux), where any
/// outgoing connection of any process may take it between the choice and the child's bind; the suite then failed at
/// random with "address already in use". These ports are drawn from below that range instead, where only listeners
/// live, are checked free, and are never handed out twice in one test process.
/// </summary>
public static class LoopbackPorts
{
    private const int First = 20000;
    private const int Last = 32700;

    private static readonly HashSet<int> Given = [];

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on now and that outgoing connections never pick.</summary>
    /// <exception cref="InvalidOperationException">No free port was found after 1,000 draws.</exception>
    public static int Free()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = RandomNumberGenerator.GetInt32(First, Last);
            lock (Given)
            {
                if (!Given.Add(port))
                {
                    continue;
                }
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken by another listener: draw again.
            }
        }

        throw new InvalidOperationException($"No free loopback port between {First} and {Last}.");
    }
}
