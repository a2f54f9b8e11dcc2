using Coffer.Core.Api;

namespace Coffer.Server.Ciphers;

/// <summary>
/// A vault item. Everything the client encrypted lives in <see cref="Data"/>, one JSON document
/// (a serialized <see cref="CipherDataModel"/>), so a sync reads each item in one row with no per-field joins
/// and writes it out without parsing it (see <see cref="CipherJson"/>).
/// </summary>
public sealed class Cipher
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
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
}
