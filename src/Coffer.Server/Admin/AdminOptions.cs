namespace Coffer.Server.Admin;

/// <summary>
/// Section <c>Coffer:Admin</c>. An access token never carries admin power by itself: every <c>/admin/api</c> action
/// also needs an admin proof from <c>POST /admin/api/session</c> (see <see cref="AdminProof"/>).
/// </summary>
public sealed class AdminOptions
{
    /// <summary>Minutes an admin proof stays valid after the master password or code was re-entered (1–60, default 5).</summary>
    public int ProofMinutes { get; set; } = 5;

    /// <summary>
    /// When true (the default), an admin account without two-step login gets 403 on every admin action and on
    /// elevation: one stolen master password must not be enough to run the server.
    /// </summary>
    public bool RequireTwoFactor { get; set; } = true;
}
