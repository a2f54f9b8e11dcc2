namespace Coffer.Cli;

/// <summary>An expected failure: printed as one line on stderr, exit code 1.</summary>
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
}
