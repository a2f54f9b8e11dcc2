namespace Coffer.Server.Audit;

/// <summary>
/// One security-relevant action. Never holds a secret: ids, types, time, device and address only.
/// Events form a chain: <see cref="Hash"/> is an HMAC over this event and the previous event's hash, keyed by a
/// server secret that lives outside the database, so editing, removing or inserting a row is detectable by
/// <see cref="AuditChain.VerifyAsync"/> and cannot be papered over without that secret.
/// </summary>
public sealed class AuditEvent
{
    /// <summary>Position in the chain, 1, 2, 3, … without gaps; appends are serialized.</summary>
    public long Sequence { get; set; }

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

    /// <summary>Hex HMAC-SHA256 of the previous event (64 zeros for the first).</summary>
    public required string PreviousHash { get; set; }

    public required string Hash { get; set; }
}
