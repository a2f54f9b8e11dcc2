using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// The recipes in deploy/ stay true to the code: nginx accepts the proxy configuration (<c>nginx -t</c>, with a
/// throwaway certificate in place of the real one), its body limit is Coffer's import limit, and every file the
/// Dockerfile copies exists. (The Dockerfile itself is not built here: there is no Docker engine.)
/// </summary>
public sealed partial class DeployTests : IDisposable
{
    private static readonly string Root = FindRoot();
    private readonly string scratch = CofferFactory.CreateTempFolder();

    public void Dispose() => CofferFactory.DeleteFolder(scratch);

    [Fact]
    public async Task NginxConfig_PassesNginxTest()
    {
        var nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx" }.FirstOrDefault(File.Exists);
        Assert.True(nginx is not null, "nginx is not installed (apt-get install nginx; ./test.sh installs it)");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var request = new CertificateRequest("CN=vault.example.com", key, HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(Path.Combine(scratch, "cert.pem"), certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(scratch, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        }

        var config = (await File.ReadAllTextAsync(Path.Combine(Root, "deploy/nginx/coffer.conf")))
            .Replace("/etc/letsencrypt/live/vault.example.com/fullchain.pem", Path.Combine(scratch, "cert.pem"), StringComparison.Ordinal)
            .Replace("/etc/letsencrypt/live/vault.example.com/privkey.pem", Path.Combine(scratch, "key.pem"), StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(scratch, "coffer.conf"), config);
        await File.WriteAllTextAsync(Path.Combine(scratch, "nginx.conf"), $$"""
            pid {{scratch}}/nginx.pid;
            error_log {{scratch}}/error.log;
            events {}
            http {
                include {{scratch}}/coffer.conf;
            }
            """);

        var start = new ProcessStartInfo(nginx!) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-t", "-p", scratch, "-c", Path.Combine(scratch, "nginx.conf"), "-e", Path.Combine(scratch, "error.log") })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, error);
        Assert.Contains("test is successful", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SystemdUnit_PassesSystemdAnalyzeVerify_AsANotifyServiceWithAWatchdog()
    {
        var analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        Assert.True(analyze is not null, "systemd-analyze is not installed (apt-get install systemd)");
        var unit = await File.ReadAllTextAsync(Path.Combine(Root, "deploy/systemd/coffer.service"));
        Assert.Matches("(?m)^Type=notify$", unit);
        Assert.Matches("(?m)^WatchdogSec=[1-9]", unit);
        // The binary is not installed here: point ExecStart at one that exists, keep everything else.
        var checkable = Path.Combine(scratch, "coffer.service");
        await File.WriteAllTextAsync(checkable, unit.Replace("ExecStart=/opt/coffer/coffer-server", "ExecStart=/bin/true", StringComparison.Ordinal));

        var result = await ChildProcess.RunAsync(analyze!, ["verify", checkable], new Dictionary<string, string?>(), scratch, TimeSpan.FromMinutes(1), "systemd-analyze");

        Assert.True(result.Succeeded && result.StdErr.Trim().Length == 0, result.StdErr + result.StdOut);
    }

    [Fact]
    public async Task NginxConfig_BodyLimit_IsCoffersImportLimit()
    {
        var config = await File.ReadAllTextAsync(Path.Combine(Root, "deploy/nginx/coffer.conf"));

        var limit = BodyLimit().Match(config);

        Assert.True(limit.Success, "client_max_body_size is missing");
        Assert.Equal(new ServerOptions().MaxImportBytes, long.Parse(limit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024);
    }

    [Fact]
    public async Task Dockerfile_CopiesOnlyFilesThatExist_AndRunsTheServerAsNonRootWithAHealthCheck()
    {
        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(Root, "deploy/Dockerfile"));

        var sources = dockerfile.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]).ToList();

        Assert.NotEmpty(sources);
        Assert.All(sources, source => Assert.True(File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)), $"COPY {source}: no such file"));
        Assert.Contains("USER app", dockerfile);
        Assert.Contains(dockerfile, l => l.StartsWith("HEALTHCHECK", StringComparison.Ordinal));
        Assert.Contains(dockerfile, l => l.Contains("GET /health ", StringComparison.Ordinal));
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"coffer-server.dll\"]", dockerfile);
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "coffer-server.dll")));
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Coffer.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Coffer.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"client_max_body_size\s+(\d+)m;")]
    private static partial Regex BodyLimit();
}
