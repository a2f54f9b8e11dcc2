using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Coffer.E2E.Tests.Cluster;

/// <summary>
/// Its own nginx process in front of several Coffer nodes, as an operator would run it: TLS terminated with the
/// test CA's server certificate (bw refuses plain http even on loopback), round-robin over the nodes, which are
/// reached over HTTPS again with their certificate verified, and WebSocket upgrades passed through for
/// /notifications/. A generated config, a free port on 127.0.0.1, `daemon off`, pid, logs and temp files all in
/// the given folder; the system's nginx service is never used.
/// </summary>
public sealed class NginxBalancer : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private readonly string folder;

    private NginxBalancer(Process process, Uri baseAddress, string folder)
    {
        this.process = process;
        this.folder = folder;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Url => BaseAddress.GetLeftPart(UriPartial.Authority);

    public string Log
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>The node addresses (127.0.0.1:PORT) nginx passed requests to, from its access log.</summary>
    public IReadOnlyList<string> UpstreamsUsed() =>
        [.. File.ReadLines(Path.Combine(folder, "access.log")).Select(line => line.Split(' ')[^1])];

    public static string Binary =>
        new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx" }.FirstOrDefault(File.Exists)
        ?? "nginx";

    public static async Task<NginxBalancer> StartAsync(TestCertificates certificates, IReadOnlyList<Uri> nodes, string folder)
    {
        var port = LoopbackPorts.Free();
        var config = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(config, Config(certificates, nodes, folder, port));
        var info = ChildProcess.CreateStartInfo(Binary, ["-p", folder, "-c", config, "-e", "stderr"], new Dictionary<string, string?>(), folder);
        var process = new Process { StartInfo = info };
        var balancer = new NginxBalancer(process, new Uri($"https://127.0.0.1:{port}"), folder);
        process.OutputDataReceived += (_, e) => balancer.Append(e.Data);
        process.ErrorDataReceived += (_, e) => balancer.Append(e.Data);
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await balancer.WaitUntilServingAsync(certificates);
        }
        catch
        {
            await balancer.DisposeAsync();
            throw;
        }

        return balancer;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started (the binary is missing): nothing to stop.
        }

        process.Dispose();
    }

    private static string Config(TestCertificates certificates, IReadOnlyList<Uri> nodes, string folder, int port)
    {
        var upstreams = string.Concat(nodes.Select(n => $"        server 127.0.0.1:{n.Port};\n"));
        // Workers of an nginx started by root drop to `nobody`, who cannot read this test's private folder.
        var user = PostgresTools.RunningAsRoot ? "user root root;" : "";
        return string.Create(CultureInfo.InvariantCulture, $$"""
            {{user}}
            daemon off;
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 1024; }
            http {
                # Which node served each request, so a test can see the load really is spread.
                log_format upstreams '$request_method $uri $status $upstream_addr';
                access_log {{folder}}/access.log upstreams;
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                client_max_body_size 64m;

                upstream coffer_nodes {
            {{upstreams}}        keepalive 16;
                }

                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{certificates.ServerCertPath}};
                    ssl_certificate_key {{certificates.ServerKeyPath}};

                    proxy_http_version 1.1;
                    proxy_set_header Host $http_host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto https;
                    # The nodes' certificate is checked against the same CA, by its DNS name (nginx matches no IP SANs).
                    proxy_ssl_verify on;
                    proxy_ssl_trusted_certificate {{certificates.CaPemPath}};
                    proxy_ssl_name localhost;
                    proxy_ssl_server_name on;

                    location / {
                        # A location's own proxy_set_header replaces every inherited one: Host again, for absolute URLs.
                        proxy_set_header Host $http_host;
                        proxy_set_header Connection "";
                        proxy_pass https://coffer_nodes;
                    }

                    # SignalR over WebSocket: pass the upgrade on, and let an idle hub connection live.
                    location /notifications/ {
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection "upgrade";
                        proxy_read_timeout 1h;
                        proxy_pass https://coffer_nodes;
                    }
                }
            }
            """);
    }

    private async Task WaitUntilServingAsync(TestCertificates certificates)
    {
        using var client = new HttpClient(certificates.CreateTrustingHandler()) { Timeout = TimeSpan.FromSeconds(5) };
        var alive = new Uri(BaseAddress, "/alive");
        var clock = Stopwatch.StartNew();
        var last = "no attempt yet";
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with code {process.ExitCode}.\n{Log}");
            }

            try
            {
                using var response = await client.GetAsync(alive);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"nginx did not serve {alive} (last: {last}).\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
