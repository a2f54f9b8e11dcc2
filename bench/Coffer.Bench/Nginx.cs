using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coffer.Bench;

/// <summary>
/// nginx as an outside yardstick: one process (<c>master_process off</c>), HTTPS only (TLS 1.3), the self-signed
/// certificate of <see cref="WriteCertificate"/> that Coffer serves too, <c>root</c> = <c>&lt;scratch&gt;/www</c>.
/// Used by <c>files</c> (attachments) and <c>http</c> (the HTTPS sync yardstick).
/// </summary>
public static class Nginx
{
    private static readonly string[] Paths = ["/usr/sbin/nginx", "/usr/bin/nginx"];

    /// <summary>The nginx executable, or null when nginx is not installed.</summary>
    public static string? Executable => Paths.FirstOrDefault(File.Exists);

    public static string Version()
    {
        var info = new ProcessStartInfo(Executable ?? "nginx", "-v") { RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var line = process.StandardError.ReadToEnd().Trim();
        process.WaitForExit();
        return line.Split('/').LastOrDefault() ?? "?";
    }

    /// <summary>
    /// Starts nginx on 127.0.0.1:<paramref name="port"/> over HTTPS serving <c>&lt;scratch&gt;/www</c>, with
    /// <paramref name="locations"/> (nginx <c>location</c> blocks) inside its <c>server</c> block; returns once it accepts
    /// connections. The process is tracked by <see cref="ChildProcesses"/>; the caller disposes (kills) it.
    /// </summary>
    public static Process Start(string scratch, int port, string certificate, string key, string locations)
    {
        var nginx = Executable ?? throw new InvalidOperationException("nginx is not installed (apt-get install nginx).");
        var www = Path.Combine(scratch, "www");
        Directory.CreateDirectory(www);
        foreach (var temp in new[] { "body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            Directory.CreateDirectory(Path.Combine(scratch, temp));
        }

        var config = Path.Combine(scratch, "nginx.conf");
        File.WriteAllText(config, $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{scratch}}/nginx.pid;
            error_log {{scratch}}/error.log warn;
            events { worker_connections 64; }
            http {
                access_log off;
                sendfile on;
                client_body_temp_path {{scratch}}/body;
                proxy_temp_path {{scratch}}/proxy;
                fastcgi_temp_path {{scratch}}/fastcgi;
                uwsgi_temp_path {{scratch}}/uwsgi;
                scgi_temp_path {{scratch}}/scgi;
                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{certificate}};
                    ssl_certificate_key {{key}};
                    ssl_protocols TLSv1.3;
                    client_max_body_size 0;
                    root {{www}};
                    {{locations}}
                }
            }
            """);
        var info = new ProcessStartInfo(nginx) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", scratch, "-c", config, "-e", Path.Combine(scratch, "error.log") })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start nginx.");
        ChildProcesses.Track(process);
        for (var i = 0; i < 500; i++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                probe.Connect(IPAddress.Loopback, port);
                return process;
            }
            catch (System.Net.Sockets.SocketException)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException("nginx exited: " + File.ReadAllText(Path.Combine(scratch, "error.log")));
                }

                Thread.Sleep(10);
            }
        }

        throw new InvalidOperationException("nginx did not listen.");
    }

    /// <summary>Kills nginx started by <see cref="Start"/> and stops tracking it.</summary>
    public static void Stop(Process nginx)
    {
        ArgumentNullException.ThrowIfNull(nginx);
        if (!nginx.HasExited)
        {
            nginx.Kill(entireProcessTree: true);
            nginx.WaitForExit(10_000);
        }

        ChildProcesses.Forget(nginx);
        nginx.Dispose();
    }

    /// <summary>A self-signed P-256 certificate for 127.0.0.1 as PEM files (both servers use it); its thumbprint for the client to pin.</summary>
    public static (string Certificate, string Key, string Thumbprint) WriteCertificate(string folder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
        var certificatePath = Path.Combine(folder, "cert.pem");
        var keyPath = Path.Combine(folder, "key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath, certificate.Thumbprint);
    }

    /// <summary>Accepts exactly the certificate of <paramref name="thumbprint"/> (the bench's self-signed one).</summary>
    public static bool Pinned(X509Certificate? certificate, string thumbprint) =>
        certificate is not null && certificate.GetCertHashString() == thumbprint;

    /// <summary>The environment that makes coffer-server serve <paramref name="certificate"/> on its HTTPS endpoint.</summary>
    public static Dictionary<string, string> CofferCertificate(string certificate, string key) => new()
    {
        ["Kestrel__Certificates__Default__Path"] = certificate,
        ["Kestrel__Certificates__Default__KeyPath"] = key,
    };
}
