namespace Coffer.Cli;

/// <summary>
/// An expected failure: printed as one line <c>Error: …</c> on stderr, and the process exits with
/// <see cref="ExitCode"/> (<see cref="ExitCodes"/>). The message says what to do next.
/// </summary>
public sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CliException(string message, int exitCode, Exception? innerException = null)
        : base(message, innerException) => ExitCode = exitCode;

    /// <summary>One of <see cref="ExitCodes"/>; <see cref="ExitCodes.Error"/> unless a factory below set another.</summary>
    public int ExitCode { get; } = ExitCodes.Error;

    /// <summary>Exit code 2: the command line is wrong, though the parser accepted it (conflicting options, bad value).</summary>
    public static CliException Usage(string message) => new(message, ExitCodes.Usage);

    /// <summary>Exit code 3: no session, or the server ended it.</summary>
    public static CliException NotLoggedIn(string message = "You are not logged in. Run `coffer login EMAIL`.", Exception? inner = null) =>
        new(message, ExitCodes.NotLoggedIn, inner);

    /// <summary>Exit code 4: the session key is wrong or stale, or there is none and no way to ask for the password.</summary>
    public static CliException Locked(string message, Exception? inner = null) => new(message, ExitCodes.Locked, inner);

    /// <summary>Exit code 5: no item, folder or other named thing matches.</summary>
    public static CliException NotFound(string message) => new(message, ExitCodes.NotFound);

    /// <summary>Exit code 6: the server needs a two-step login code and none was given.</summary>
    public static CliException TwoFactorRequired(string message) => new(message, ExitCodes.TwoFactorRequired);
}
