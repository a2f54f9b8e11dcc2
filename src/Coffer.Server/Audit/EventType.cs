namespace Coffer.Server.Audit;

/// <summary>
/// Audit event types. 1000–1199 are Bitwarden's numbers (protocol account doc §5.3) so clients can show them;
/// 9000 and up are Coffer's own (admin and server actions), which Bitwarden has no number for.
/// </summary>
public enum EventType
{
    UserLoggedIn = 1000,
    UserChangedPassword = 1001,
    UserUpdated2fa = 1002,
    UserDisabled2fa = 1003,
    UserRecovered2fa = 1004,
    UserFailedLogIn = 1005,
    UserFailedLogIn2fa = 1006,
    CipherCreated = 1100,
    CipherUpdated = 1101,
    CipherDeleted = 1102,
    CipherSoftDeleted = 1115,
    CipherRestored = 1116,

    UserRegistered = 9000,
    UserLockedOut = 9001,
    UserChangedKdf = 9002,
    UserRotatedKeys = 9003,
    UserChangedEmail = 9004,
    UserDeauthorizedSessions = 9005,
    UserDeletedAccount = 9006,
    DeviceDeactivated = 9007,
    AdminDisabledUser = 9100,
    AdminEnabledUser = 9101,
    AdminForcedLogout = 9102,
    AdminDeletedUser = 9103,
    AdminInvitedUser = 9104,
    AdminChangedRegistrationMode = 9105,
    AdminCreated = 9106,
    AdminRevokedInvitation = 9107,
    AdminRevoked = 9108,
    AdminProved = 9109,
    AdminProofFailed = 9110,
    ItemsImported = 9200,
}
