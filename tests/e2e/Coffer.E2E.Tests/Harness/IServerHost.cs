namespace Coffer.E2E.Tests.Harness;

/// <summary>
/// What a client under test needs from whatever runs the servers (one node, or a cluster behind nginx): the CA to
/// trust, and the servers' recent log for failure messages.
/// </summary>
public interface IServerHost
{
    TestCertificates Certificates { get; }

    /// <summary>The last lines the server(s) printed, for failure messages.</summary>
    string ServerLogTail();
}
