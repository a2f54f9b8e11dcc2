namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>The real server over HTTPS with a certificate from a private CA.</summary>
public sealed class TlsServerProcess : ServerProcess
{
    protected override bool UseTls => true;
}
