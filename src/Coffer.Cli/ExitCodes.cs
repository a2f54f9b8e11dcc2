namespace Coffer.Cli;

/// <summary>
/// The process exit codes of <c>coffer</c>, in one place (documented in src/Coffer.Cli/README.md). Scripts branch on
/// these, so a number never changes meaning once released.
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>Any other failure: the server refused, a file could not be read, a wrong master password.</summary>
    public const int Error = 1;

    /// <summary>The command line itself is wrong: unknown verb or option, missing argument, value out of range.</summary>
    public const int Usage = 2;

    /// <summary>No session on this machine, or the server ended it: run <c>coffer login EMAIL</c>.</summary>
    public const int NotLoggedIn = 3;

    /// <summary>COFFER_SESSION (or --session) is wrong or stale: run <c>coffer unlock</c>.</summary>
    public const int Locked = 4;

    /// <summary>The named item, folder or device does not exist.</summary>
    public const int NotFound = 5;

    /// <summary>The server asks for a second factor and none was given: pass <c>--code</c>.</summary>
    public const int TwoFactorRequired = 6;

    /// <summary>
    /// The server sent something Coffer refuses to use (a weaker KDF than pinned, a swapped key, an injected
    /// organization's key…; malicious-server.md §2.2). stderr says <c>coffer: server integrity check failed (CODE): …</c>.
    /// Nothing derived from the refused answer was sent.
    /// </summary>
    public const int ServerIntegrity = 20;
}
