namespace Coffer.Protocol.Api;

/// <summary>The canonical form of an account e-mail address (protocol bitwarden.md §2.2).</summary>
public static class AccountEmail
{
    /// <summary>
    /// <c>lowercase(trim(email))</c>, culture-invariant: how the server stores and looks up accounts, and the salt
    /// the clients derive the master key with, so both sides must compute it identically.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="email"/> is null.</exception>
    public static string Normalize(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.Trim().ToLowerInvariant();
    }
}
