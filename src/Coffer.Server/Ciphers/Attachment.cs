namespace Coffer.Server.Ciphers;

/// <summary>
/// A file kept with an item (<c>bitwarden-sharing-features.md</c> §2.1). The server holds only what the client
/// encrypted: <see cref="FileName"/> and <see cref="Key"/> are EncStrings under the item key (or the user's or
/// organization's key when the item has none), and the file itself is an EncArrayBuffer (§1.1) under the attachment
/// key, stored in the blob store at <see cref="Files.BlobKeys.Attachment"/>. A slot is reserved first
/// (<see cref="Uploaded"/> false) and filled by the upload.
/// </summary>
public sealed class Attachment
{
    /// <summary>Random, 32 lower-case characters <c>[a-z0-9]</c> (§1.4); see <see cref="NewId"/>.</summary>
    public required string Id { get; set; }

    public Guid CipherId { get; set; }

    /// <summary>EncString of the file name, kept exactly as sent.</summary>
    public required string FileName { get; set; }

    /// <summary>EncString of the 64-byte attachment key; null only for attachments from before per-attachment keys (§2.7).</summary>
    public string? Key { get; set; }

    /// <summary>Bytes of the encrypted file: the declared size until the upload, then the size actually stored.</summary>
    public long Size { get; set; }

    /// <summary>False while the slot waits for its upload (§2.3); such rows are removed after a while by the background work.</summary>
    public bool Uploaded { get; set; }

    public DateTime CreationDate { get; set; }

    /// <summary>A new attachment id: 32 characters of <c>[a-z0-9]</c> from a CSPRNG (about 165 bits).</summary>
    public static string NewId() => System.Security.Cryptography.RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 32);
}
