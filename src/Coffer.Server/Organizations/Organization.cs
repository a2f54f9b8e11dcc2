namespace Coffer.Server.Organizations;

/// <summary>
/// An organization (protocol doc <c>bitwarden-organizations.md</c> §1.1): a group of members sharing items under
/// one organization key. The server never holds that key in clear, only each Confirmed member's wrapped copy
/// (<see cref="Membership.Key"/>). The "plan features" the clients read are not stored: a self-hosted Coffer
/// server has no plans, so every organization answers as an unlimited one (see <c>OrganizationResponses</c>).
/// </summary>
public sealed class Organization
{
    public Guid Id { get; set; }

    /// <summary>Plain text, at most 50 characters (upstream <c>OrganizationCreateRequestModel</c>).</summary>
    public required string Name { get; set; }

    /// <summary>Kept for the clients, which require it; Coffer sends no bills. Lowercased, at most 256 characters.</summary>
    public required string BillingEmail { get; set; }

    /// <summary>Base64 SPKI of the organization's RSA key pair; null for an organization created without one (doc §3.2).</summary>
    public string? PublicKey { get; set; }

    /// <summary>The organization's PKCS#8 private key as an EncString (type 2) under the organization key.</summary>
    public string? PrivateKey { get; set; }

    public DateTime CreationDate { get; set; }
    public DateTime RevisionDate { get; set; }
}

/// <summary>Membership type (OrganizationUserType, doc §1.2). 3 (Manager) was removed upstream and is never used.</summary>
public enum MembershipType
{
    Owner = 0,
    Admin = 1,
    User = 2,
    Custom = 4,
}

/// <summary>Membership status (OrganizationUserStatusType, doc §1.2): only <see cref="Confirmed"/> members see anything.</summary>
public enum MembershipStatus
{
    Revoked = -1,
    Invited = 0,
    Accepted = 1,
    Confirmed = 2,
}

/// <summary>
/// One member of an organization (doc §1.2, "organization user"). Its <see cref="Id"/> is the member id every
/// member route takes (never the user id, pitfall P5). An invitation to an address without an account has no
/// <see cref="UserId"/> until that address registers.
/// </summary>
public sealed class Membership
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid? UserId { get; set; }

    /// <summary>The invited address, normalized (AccountEmail.Normalize); unique within the organization.</summary>
    public required string Email { get; set; }

    /// <summary>The organization key wrapped for this member (EncString type 4, doc §2.2); null until Confirmed.</summary>
    public string? Key { get; set; }

    public MembershipStatus Status { get; set; }

    /// <summary>While <see cref="Status"/> is Revoked: the status a restore returns to (doc §4.5).</summary>
    public MembershipStatus? StatusBeforeRevoke { get; set; }

    public MembershipType Type { get; set; }

    /// <summary>The permissions object of a Custom member as JSON (doc §1.4); null for the other types.</summary>
    public string? Permissions { get; set; }

    public string? ExternalId { get; set; }
    public string? InvitedByEmail { get; set; }
    public DateTime CreationDate { get; set; }
    public DateTime RevisionDate { get; set; }
}
