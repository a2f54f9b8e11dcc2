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

    /// <summary>Environment for the server process, prepared before it starts (a mail sink's settings).</summary>
    protected virtual Task<IReadOnlyDictionary<string, string?>?> PrepareAsync() => Task.FromResult<IReadOnlyDictionary<string, string?>?>(null);

    public async Task InitializeAsync()
    {
        _scratch = new Scratch("coffer-cli-e2e-");
        _server = await ServerProcess.StartAsync(UseTls ? _scratch.Certificates : null, _scratch.Folder("data"), await PrepareAsync());
    }

    public virtual async Task DisposeAsync()
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

/// <summary>
/// The real server with outgoing mail to its own <see cref="MailSink"/> and a public URL, so e-mailed login codes and
/// security keys (whose RP id and origin come from <c>Coffer:PublicUrl</c>) work.
/// </summary>
public sealed class MailServerFixture : ServerFixture
{
    public const string PublicUrl = "https://vault.coffer.test";

    public MailSink Sink { get; private set; } = null!;

    protected override async Task<IReadOnlyDictionary<string, string?>?> PrepareAsync()
    {
        Sink = await MailSink.StartAsync();
        return new Dictionary<string, string?>(Sink.Environment)
        {
            ["Coffer__PublicUrl"] = PublicUrl,
            // A test sets up and removes several providers a minute on one account, from one address, each time proving
            // the master password; the default limits are tested in the server's suite.
            ["Coffer__RateLimits__TwoFactorPerAccount__Limit"] = "1000",
            ["Coffer__RateLimits__TwoFactorPerIp__Limit"] = "1000",
            ["Coffer__RateLimits__VerifyPasswordPerAccount__Limit"] = "1000",
        };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Sink.DisposeAsync();
    }
}
