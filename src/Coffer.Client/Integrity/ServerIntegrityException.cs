namespace Coffer.Client.Integrity;

/// <summary>
/// The server sent something a Coffer client refuses to use (malicious-server.md §2.2, class "Refuse"): a pinned value
/// became weaker or different with nothing local to explain it, or a value below a hard floor. Nothing derived from the
/// refused answer has been sent. The CLI prints
/// <c>coffer: server integrity check failed (<see cref="Code"/>): <see cref="Exception.Message"/></c> and exits 20;
/// the web vault shows the same code and sentence in its "Your server sent something unsafe" dialog.
/// </summary>
public sealed class ServerIntegrityException : Exception
{
    public ServerIntegrityException()
    {
    }

    public ServerIntegrityException(string message)
        : base(message)
    {
    }

    public ServerIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <param name="code">The check that failed, a scenario-style id such as <c>kdf-downgrade</c> (malicious-server.md §0).</param>
    /// <param name="message">One plain sentence: what the server tried, and what the user should do.</param>
    /// <param name="innerException">The decryption or parse failure behind the refusal, if any.</param>
    public ServerIntegrityException(string code, string message, Exception? innerException = null)
        : base(message, innerException) => Code = code;

    /// <summary>The failed check's id, stable across releases so scripts and tests can match it.</summary>
    public string Code { get; } = "integrity";
}
