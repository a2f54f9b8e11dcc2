using System.Net;
using System.Net.Sockets;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 to a database server, which a test can take down as the server going away would (every
/// connection reset, new ones refused) and bring back on the same port, without touching the server other tests share.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly string targetHost;
    private readonly int targetPort;
    private readonly Lock gate = new();
    private readonly List<Socket> sockets = [];
    private TcpListener? listener;
    private Task accepting = Task.CompletedTask;

    private TcpProxy(string host, int port)
    {
        targetHost = host;
        targetPort = port;
    }

    /// <summary>The port it listens on (stable across <see cref="DownAsync"/> and <see cref="Up"/>).</summary>
    public int Port { get; private set; }

    public static TcpProxy Start(string host, int port)
    {
        var proxy = new TcpProxy(host, port);
        proxy.Up();
        return proxy;
    }

    /// <summary>Listens again (on the same port after the first time) and relays new connections.</summary>
    public void Up()
    {
        var next = new TcpListener(IPAddress.Loopback, Port);
        next.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        next.Start();
        Port = ((IPEndPoint)next.LocalEndpoint).Port;
        listener = next;
        accepting = AcceptAsync(next);
    }

    /// <summary>Stops listening (connections are refused) and resets every relayed connection.</summary>
    public async Task DownAsync()
    {
        listener?.Stop();
        listener = null;
        await accepting;
        lock (gate)
        {
            foreach (var socket in sockets)
            {
                // Linger 0: close with RST, as a server process that died.
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }

            sockets.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener from)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await from.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        lock (gate)
        {
            sockets.Add(client);
            sockets.Add(server);
        }

        try
        {
            await server.ConnectAsync(targetHost, targetPort);
            await using var fromClient = new NetworkStream(client, ownsSocket: false);
            await using var toServer = new NetworkStream(server, ownsSocket: false);
            await Task.WhenAny(fromClient.CopyToAsync(toServer), toServer.CopyToAsync(fromClient));
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            // Taken down, or one side went away: the other side is closed below.
        }
        finally
        {
            lock (gate)
            {
                sockets.Remove(client);
                sockets.Remove(server);
            }

            client.Close();
            server.Close();
        }
    }

    public async ValueTask DisposeAsync() => await DownAsync();
}
