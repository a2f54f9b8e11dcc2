using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Coffer.E2E.Tests.Harness;

/// <summary>
/// A TLS-terminating TCP relay in front of the server that keeps a copy of every byte the clients send. It lets a
/// test check what a client put on the wire (protocol §8's golden check on the master password hash) without any
/// hook in the server. It serves the same test certificate, and verifies the server against the test CA.
/// </summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly List<MemoryStream> recordings = [];
    private readonly List<Task> relays = [];
    private readonly X509Certificate2 certificate;
    private readonly TestCertificates certificates;
    private readonly Uri upstream;
    private readonly Task accepting;

    public RecordingProxy(TestCertificates certificates, Uri upstream)
    {
        this.certificates = certificates;
        this.upstream = upstream;
        certificate = X509Certificate2.CreateFromPemFile(certificates.ServerCertPath, certificates.ServerKeyPath);
        listener.Start();
        Url = $"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        accepting = AcceptAsync();
    }

    public string Url { get; }

    /// <summary>Everything sent by clients since the last call, one connection after another, decoded as UTF-8.</summary>
    public string TakeRequests()
    {
        lock (recordings)
        {
            var text = string.Concat(recordings.Select(r => Encoding.UTF8.GetString(r.ToArray())));
            recordings.Clear();
            return text;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        Task[] running;
        lock (relays)
        {
            running = [accepting, .. relays];
        }

        await Task.WhenAll(running);
        stopping.Dispose();
        certificate.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (relays)
            {
                relays.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var recording = new MemoryStream();
        lock (recordings)
        {
            recordings.Add(recording);
        }

        try
        {
            using (client)
            using (var server = new TcpClient())
            {
                await server.ConnectAsync(upstream.Host, upstream.Port, stopping.Token);
                await using var downstream = new SslStream(client.GetStream());
                await using var upstreamTls = new SslStream(server.GetStream());
                await downstream.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions { ServerCertificate = certificate }, stopping.Token);
                await upstreamTls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = upstream.Host,
                        RemoteCertificateValidationCallback = (_, cert, _, errors) => certificates.IsTrusted(cert, errors),
                    },
                    stopping.Token);

                // Either side closing ends the connection; the using blocks then close the other side.
                await Task.WhenAny(
                    PumpAsync(downstream, upstreamTls, recording),
                    PumpAsync(upstreamTls, downstream, record: null));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException or ObjectDisposedException)
        {
            // A client that hangs up mid-request is not the proxy's failure; the client's own output will say so.
        }
    }

    private async Task PumpAsync(Stream from, Stream to, MemoryStream? record)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, stopping.Token)) > 0)
            {
                if (record is not null)
                {
                    lock (recordings)
                    {
                        record.Write(buffer, 0, read);
                    }
                }

                await to.WriteAsync(buffer.AsMemory(0, read), stopping.Token);
                await to.FlushAsync(stopping.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The other direction closed the connection.
        }
    }
}
