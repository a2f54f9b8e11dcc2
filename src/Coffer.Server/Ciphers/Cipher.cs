using Coffer.Protocol.Api;

namespace Coffer.Server.Ciphers;

/// <summary>
/// A vault item. Everything the client encrypted lives in <see cref="Data"/>, one JSON document
/// (a serialized <see cref="CipherDataModel"/>), so a sync reads each item in one row with no per-field joins
/// and writes it out without parsing it (see <see cref="CipherJson"/>).
/// </summary>
public sealed class Cipher
{
    public Guid Id { get; set; }

    /// <summary>The owner of a personal item; null for an organization's item.</summary>
    public Guid? UserId { get; set; }

    /// <summary>The organization owning the item (then <see cref="UserId"/> is null); its collections are in <c>CollectionCipher</c>.</summary>
    public Guid? OrganizationId { get; set; }

    /// <summary>The folder of a personal item. An organization item's folder and favourite are per member (<see cref="CipherPreference"/>).</summary>
    public Guid? FolderId { get; set; }
    public CipherType Type { get; set; }
    public bool Favorite { get; set; }
    /// <summary>UTF-8 JSON, kept as bytes so it is copied into responses without transcoding.</summary>
    public required byte[] Data { get; set; }
    public DateTime CreationDate { get; set; }
    public DateTime RevisionDate { get; set; }

    /// <summary>Non-null while the item is in the trash.</summary>
    public DateTime? DeletedDate { get; set; }

    public DateTime? ArchivedDate { get; set; }

    /// <summary>
    /// A new item from a validated request: the owner's personal item (<paramref name="userId"/>) with its folder and
    /// favourite, or an organization's (<paramref name="organizationId"/>), whose folder and favourite are per member.
    /// </summary>
    public static Cipher Create(CipherRequestModel request, DateTime now, Guid? userId, Guid? organizationId, Guid? folderId)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new Cipher
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            OrganizationId = organizationId,
            FolderId = userId is null ? null : folderId,
            Type = request.Type,
            Favorite = userId is not null && request.Favorite,
            Data = CipherValidation.Serialize(request),
            CreationDate = now,
            RevisionDate = now,
            ArchivedDate = request.ArchivedDate,
        };
    }

    /// <summary>
    /// Gives the item a new revision date: <paramref name="now"/>, but always more than the ±1 s stale-write
    /// tolerance (<see cref="CipherEndpoints"/>) after the previous one, so a device still holding the previous
    /// revision is refused even when two edits fall within the same second (the item's date may then run up to a
    /// second ahead of the clock). <see cref="RevisionDate"/> is also the optimistic concurrency token (CofferDb):
    /// two writes that read the same revision cannot both commit.
    /// </summary>
    public void Revise(DateTime now)
    {
        var next = RevisionDate + MinimumRevisionStep;
        RevisionDate = now > next ? now : next;
    }

    private static readonly TimeSpan MinimumRevisionStep = TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(1);
}

/// <summary>
/// One member's own folder and favourite for an organization item (doc <c>bitwarden-organizations.md</c> §7.3,
/// pitfall P11): folders are personal, so one member filing a shared item must not move it for everyone.
/// </summary>
public sealed class CipherPreference
{
    public Guid UserId { get; set; }
    public Guid CipherId { get; set; }
    public Guid? FolderId { get; set; }
    public bool Favorite { get; set; }
}
