using Coffer.Cli.Tests.Cli;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>--ca-cert trusts a private CA without switching certificate validation off.</summary>
public sealed class PrivateCaTests(TlsServerFixture server) : IClassFixture<TlsServerFixture>, IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task WithCaCert_RegistersAndLogsInOverHttps()
    {
        var email = $"tls-{Guid.NewGuid():N}@example.com";
        _cli.SetEnvironment("MP", "correct horse battery staple");
        await _cli.OkAsync("config", "server", server.BaseUrl.ToString());
        await _cli.OkAsync("register", email, "--passwordenv", "MP", "--ca-cert", server.CaCertFile!);
        Assert.Contains("Logged in", await _cli.OkAsync("login", email, "--passwordenv", "MP", "--ca-cert", server.CaCertFile!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutCaCert_TheUntrustedCertificateIsRefused()
    {
        _cli.SetEnvironment("MP", "correct horse battery staple");
        var (code, _, error) = await _cli.RunAsync("register", "x@example.com", "--server", server.BaseUrl.ToString(), "--passwordenv", "MP");
        Assert.Equal(1, code);
        Assert.Contains("Cannot reach", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAnotherCa_TheCertificateIsRefused()
    {
        using var other = new Scratch("coffer-other-ca-");
        _cli.SetEnvironment("MP", "correct horse battery staple");
        var (code, _, error) = await _cli.RunAsync(
            "register", "y@example.com", "--server", server.BaseUrl.ToString(), "--passwordenv", "MP", "--ca-cert", other.Certificates.CaPemPath);
        Assert.Equal(1, code);
        Assert.Contains("Cannot reach", error, StringComparison.Ordinal);
    }
}
