namespace Coffer.Server.Admin;

/// <summary>
/// One account as the admin sees it: metadata only. There is no vault content to show — items are ciphertext
/// under keys the server never has. <see cref="LastLogin"/> is the latest device activity (UTC), null if never.
/// </summary>
public sealed record AdminUserModel(
    Guid Id,
    string Email,
    string? Name,
    DateTime CreationDate,
    DateTime? LastLogin,
    int ItemCount,
    bool Disabled,
    bool Admin,
    bool TwoFactorEnabled);

public sealed record CreateInvitationRequest(string? Email);

/// <summary>The created invitation; <see cref="Token"/> is shown this once (only its hash is stored).</summary>
public sealed record CreatedInvitationModel(Guid Id, string Email, string Token, DateTime ExpirationDate);

/// <summary><see cref="Status"/> is <c>pending</c>, <c>used</c> or <c>expired</c>.</summary>
public sealed record InvitationModel(Guid Id, string Email, DateTime CreationDate, DateTime ExpirationDate, DateTime? UsedDate, string Status);

/// <summary>
/// <see cref="RegistrationMode"/>: <c>open</c>, <c>invite</c> or <c>closed</c>; <see cref="DefaultRegistrationMode"/>
/// is the configured value (<c>Coffer:RegistrationMode</c>) used until an admin sets one.
/// <see cref="OrganizationCreation"/>: who may create organizations, <c>everyone</c> (default) or <c>admins</c>.
/// </summary>
public sealed record AdminSettingsModel(string RegistrationMode, string DefaultRegistrationMode, string OrganizationCreation);

/// <summary><c>PUT /admin/api/settings/organization-creation</c>: <c>everyone</c> or <c>admins</c>.</summary>
public sealed record UpdateOrganizationCreationRequest(string? OrganizationCreation);

/// <summary>
/// One organization as the admin sees it: its plain-text name, creation date (UTC), Confirmed members, pending
/// ones (Invited, Accepted or Revoked), collection and item counts, and the Confirmed owners' e-mail addresses.
/// </summary>
public sealed record AdminOrganizationModel(
    Guid Id,
    string Name,
    DateTime CreationDate,
    int MemberCount,
    int PendingMemberCount,
    int CollectionCount,
    int ItemCount,
    IReadOnlyList<string> Owners);

public sealed record UpdateSettingsRequest(string? RegistrationMode);

/// <summary>One audit event with Coffer's full detail; <see cref="Type"/> is the number of <see cref="Audit.EventType"/>.</summary>
public sealed record AdminEventModel(
    long Sequence,
    DateTime Date,
    int Type,
    string TypeName,
    Guid? UserId,
    Guid? ActingUserId,
    Guid? DeviceId,
    int? DeviceType,
    Guid? CipherId,
    string? IpAddress,
    string? Detail);

/// <summary>A page of events, newest first; pass <see cref="ContinuationToken"/> back for the next page (null on the last).</summary>
public sealed record AdminEventPage(IReadOnlyList<AdminEventModel> Data, string? ContinuationToken);

/// <summary>
/// Result of walking the audit hash chains (<see cref="Audit.AuditVerifier"/>): <see cref="Checked"/> events in
/// <see cref="Chains"/> chains verified before the first break, which is named by <see cref="Chain"/>,
/// <see cref="Position"/>, the event id <see cref="FirstBrokenSequence"/> (null when the event is missing or unreadable)
/// and <see cref="Reason"/>; all four are null when every chain is intact. A break in the checkpoints' own chain names
/// the chain <c>checkpoints</c> and the checkpoint number as the position. <see cref="Checkpoint"/> is the checkpoint
/// whose recorded heads were checked (null before the first).
/// </summary>
public sealed record AuditVerificationModel(long Checked, bool Intact, long? FirstBrokenSequence, string? Reason, long Chains, string? Chain, long? Position, long? Checkpoint);

/// <summary>Elevation: the master password hash (protocol §2.2) or a current TOTP code; when both are sent, both must check out.</summary>
public sealed record AdminSessionRequest(string? MasterPasswordHash, string? Otp);

/// <summary>The admin proof for the <c>X-Coffer-Admin-Proof</c> header, and the UTC time after which admin actions ask again.</summary>
public sealed record AdminSessionModel(string Proof, DateTime ExpiresAt);
