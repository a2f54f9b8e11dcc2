namespace Coffer.Server.Sends;

/// <summary>
/// An expiring share of a text or a file for someone without an account (<c>bitwarden-sharing-features.md</c> §3.1).
/// <see cref="Name"/>, <see cref="Notes"/> and the text or file name in <see cref="Data"/> are EncStrings under the
/// Send key, which is derived from a seed the server never sees (it travels in the link's fragment); <see cref="Key"/>
/// is that seed wrapped under the owner's user key. A file Send's file is in the blob store at
/// <see cref="Files.BlobKeys.SendFile"/>.
/// </summary>
public sealed class Send
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>0 = text, 1 = file (§3.1; 2 = item is refused).</summary>
    public int Type { get; set; }

    /// <summary>0 = e-mail (refused), 1 = password, 2 = none (§3.1).</summary>
    public int AuthType { get; set; }

    public required string Name { get; set; }

    public string? Notes { get; set; }

    /// <summary>EncString of the 16-byte Send seed under the owner's user key; opaque.</summary>
    public required string Key { get; set; }

    /// <summary>
    /// The content object as JSON text: for a text Send <c>{"text":"2.…","hidden":false}</c>, for a file Send
    /// <c>{"fileName":"2.…"}</c> (the client's <c>response</c> artefact removed).
    /// </summary>
    public required string Data { get; set; }

    /// <summary>A file Send's file id: 32 characters <c>[a-z0-9]</c> (§1.4); null for text.</summary>
    public string? FileId { get; set; }

    /// <summary>Bytes of the encrypted file (declared, then actual once uploaded); null for text.</summary>
    public long? FileSize { get; set; }

    /// <summary>False until a file Send's file has arrived; recipients cannot open it before.</summary>
    public bool FileUploaded { get; set; }

    /// <summary>The server's own hash of the client's Send password hash (§3.3); null when there is no password.</summary>
    public string? PasswordHash { get; set; }

    public int? MaxAccessCount { get; set; }

    public int AccessCount { get; set; }

    public DateTime CreationDate { get; set; }

    public DateTime RevisionDate { get; set; }

    /// <summary>After this recipients are refused; the owner still sees the Send.</summary>
    public DateTime? ExpirationDate { get; set; }

    /// <summary>After this the background work deletes the Send and its file; at most 31 days after the last edit.</summary>
    public DateTime DeletionDate { get; set; }

    public bool Disabled { get; set; }

    public bool HideEmail { get; set; }
}
