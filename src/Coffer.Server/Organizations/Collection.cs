using System.Diagnostics.CodeAnalysis;

namespace Coffer.Server.Organizations;

/// <summary>A collection (doc §1.3): a named set of an organization's items, its name an EncString under the organization key.</summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "The protocol's own term for this entity.")]
public sealed class Collection
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }

    /// <summary>EncString type 2 under the organization key, at most 1000 characters.</summary>
    public required string Name { get; set; }

    public string? ExternalId { get; set; }
    public DateTime CreationDate { get; set; }
    public DateTime RevisionDate { get; set; }
}

/// <summary>
/// The access one member has to one collection (doc §1.3, keyed by member id, not user id). The three flags
/// combine into the clients' five roles; they grant nothing unless the membership is Confirmed (T13).
/// </summary>
public sealed class CollectionMember
{
    public Guid CollectionId { get; set; }
    public Guid MembershipId { get; set; }
    public bool ReadOnly { get; set; }
    public bool HidePasswords { get; set; }
    public bool Manage { get; set; }
}

/// <summary>The access a group's members have to one collection (doc §1.5), with the same three flags.</summary>
public sealed class CollectionGroup
{
    public Guid CollectionId { get; set; }
    public Guid GroupId { get; set; }
    public bool ReadOnly { get; set; }
    public bool HidePasswords { get; set; }
    public bool Manage { get; set; }
}

/// <summary>An organization item's place in a collection; an item may be in several, or in none ("unassigned").</summary>
public sealed class CollectionCipher
{
    public Guid CollectionId { get; set; }
    public Guid CipherId { get; set; }
}

/// <summary>A group of members (doc §1.5) that collections can be granted to as a whole.</summary>
public sealed class Group
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }

    /// <summary>Plain text, at most 100 characters (upstream <c>GroupRequestModel</c>).</summary>
    public required string Name { get; set; }

    public string? ExternalId { get; set; }
    public DateTime CreationDate { get; set; }
    public DateTime RevisionDate { get; set; }
}

/// <summary>A member of a group.</summary>
public sealed class GroupMember
{
    public Guid GroupId { get; set; }
    public Guid MembershipId { get; set; }
}

/// <summary>
/// An organization policy (doc §1.6). Every type the clients know is stored as sent; the server enforces the ones
/// it must (two-step login, single organization, data ownership, master password, Send options).
/// </summary>
public sealed class Policy
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public PolicyType Type { get; set; }
    public bool Enabled { get; set; }

    /// <summary>The policy's <c>data</c> object as JSON, or null.</summary>
    public string? Data { get; set; }

    public DateTime CreationDate { get; set; }
    public DateTime RevisionDate { get; set; }
}

/// <summary>PolicyType (doc §1.6, upstream <c>PolicyType.cs</c>).</summary>
public enum PolicyType
{
    TwoFactorAuthentication = 0,
    MasterPassword = 1,
    PasswordGenerator = 2,
    SingleOrg = 3,
    RequireSso = 4,
    OrganizationDataOwnership = 5,
    DisableSend = 6,
    SendOptions = 7,
    ResetPassword = 8,
    MaximumVaultTimeout = 9,
    DisablePersonalVaultExport = 10,
    ActivateAutofill = 11,
    AutomaticAppLogIn = 12,
    FreeFamiliesSponsorshipPolicy = 13,
    RemoveUnlockWithPin = 14,
    RestrictedItemTypesPolicy = 15,
    UriMatchDefaults = 16,
    AutotypeDefaultSetting = 17,
    AutomaticUserConfirmation = 18,
    BlockClaimedDomainAccountCreation = 19,
    OrganizationUserNotification = 20,
    SendControls = 21,
    FillAssist = 22,
}
