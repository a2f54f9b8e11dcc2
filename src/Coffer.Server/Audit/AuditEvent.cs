namespace Coffer.Server.Audit;

/// <summary>
/// One security-relevant action. Never holds a secret: ids, types, time, device and address only.
/// Events form one chain per account, per organization and one for the server (<see cref="AuditChain.ChainOf"/>):
/// <see cref="Hash"/> is an HMAC over this event, its chain and position, and the previous event's hash in that chain,
/// keyed by a server secret that lives outside the database, so editing, removing or inserting a row is detectable by
/// <see cref="AuditVerifier"/> and cannot be papered over without that secret; removing a chain's newest events is
/// detected against the checkpoints (<see cref="AuditCheckpoint"/>).
/// </summary>
public sealed class AuditEvent
{
    /// <summary>
    /// The event id and listing order: assigned by the database on insert (an identity / rowid, so no lock is needed
    /// to allocate it), increasing. Events of the legacy chain keep the gapless numbers they were written with, which
    /// their hash covers; for newer events the chain position is what the hash covers.
    /// </summary>
    public long Sequence { get; set; }

    /// <summary>The chain the event belongs to: <see cref="AuditChain.ChainOf"/>, or <see cref="AuditChain.LegacyChain"/>.</summary>
    public Guid ChainId { get; set; }

    /// <summary>Position in its chain: 1, 2, 3, … without gaps; appends to one chain are serialized.</summary>
    public long Position { get; set; }

    public DateTime Date { get; set; }
    public EventType Type { get; set; }

    /// <summary>The account the event is about.</summary>
    public Guid? UserId { get; set; }

    /// <summary>Who did it, when not the account itself (an admin).</summary>
    public Guid? ActingUserId { get; set; }

    public Guid? DeviceId { get; set; }
    public int? DeviceType { get; set; }
    public Guid? CipherId { get; set; }

    /// <summary>The organization an organization event belongs to; its owners and admins read it (bitwarden-organizations.md §6.5).</summary>
    public Guid? OrganizationId { get; set; }

    public Guid? CollectionId { get; set; }

    /// <summary>The member (organization user id) an organization event is about.</summary>
    public Guid? MembershipId { get; set; }

    public Guid? GroupId { get; set; }
    public Guid? PolicyId { get; set; }
    public string? IpAddress { get; set; }

    /// <summary>Non-secret context, e.g. the e-mail a failed login was for or an admin's target.</summary>
    public string? Detail { get; set; }

    /// <summary>Hex HMAC-SHA256 of the previous event in the chain (64 zeros for the first).</summary>
    public required string PreviousHash { get; set; }

    public required string Hash { get; set; }
}
