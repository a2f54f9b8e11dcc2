using System.Diagnostics.CodeAnalysis;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>
/// The real Coffer server for one test class, over plain HTTP with a throwaway data folder, so the CLI is tested
/// over the wire exactly as a user runs it.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "xunit ends a fixture through IAsyncLifetime.DisposeAsync, which disposes the scratch folder.")]
public class ServerFixture : IAsyncLifetime
{
    private Scratch? _scratch;
    private ServerProcess? _server;

    public Uri BaseUrl => _server!.BaseAddress;

    /// <summary>The PEM file of the private CA that issued the server's certificate, when <see cref="UseTls"/>.</summary>
    public string? CaCertFile => UseTls ? _scratch!.Certificates.CaPemPath : null;

    protected virtual bool UseTls => false;

    public async Task InitializeAsync()
    {
        _scratch = new Scratch("coffer-cli-e2e-");
        _server = await ServerProcess.StartAsync(UseTls ? _scratch.Certificates : null, _scratch.Folder("data"));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _scratch?.Dispose();
    }
}

/// <summary>The real server over HTTPS with a certificate from a private CA.</summary>
public sealed class TlsServerFixture : ServerFixture
{
    protected override bool UseTls => true;
}
