namespace Coffer.Protocol.Crypto;

/// <summary>
/// Thrown when Argon2id is needed but the native reference library <c>libargon2.so.1</c> cannot be loaded.
/// An installation problem, not a bad input: the fix is to install the Debian package <c>libargon2-1</c>.
/// </summary>
public sealed class Argon2UnavailableException : Exception
{
    private const string DefaultMessage =
        "Argon2id needs the native library libargon2.so.1 (Debian package libargon2-1); install it, or use PBKDF2 accounts only.";

    public Argon2UnavailableException()
        : base(DefaultMessage)
    {
    }

    public Argon2UnavailableException(string message)
        : base(message)
    {
    }

    public Argon2UnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal Argon2UnavailableException(Exception innerException)
        : base(DefaultMessage, innerException)
    {
    }
}
