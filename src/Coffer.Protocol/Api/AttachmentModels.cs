using System.Text.Json;

namespace Coffer.Protocol.Api;

/// <summary>
/// <c>POST /api/ciphers/{id}/attachment/v2</c> (<c>bitwarden-sharing-features.md</c> §2.2): reserves an upload slot.
/// <c>key</c> and <c>fileName</c> are EncStrings stored as sent; <c>fileSize</c> is the length in bytes of the
/// <em>encrypted</em> file, a JSON number or a numeric string, kept raw here so a bad value is a 400 with a
/// message rather than a binding failure.
/// </summary>
public sealed record AttachmentRequestModel
{
    public string? Key { get; init; }
    public string? FileName { get; init; }
    public JsonElement? FileSize { get; init; }
    public bool AdminRequest { get; init; }
    public DateTime? LastKnownRevisionDate { get; init; }
}

/// <summary>
/// The answer to <see cref="AttachmentRequestModel"/> (§2.2): the new attachment's id, <c>fileUploadType</c> 0 (direct
/// upload to this server), the relative upload path, and the item with the new entry in its <c>attachments</c> under
/// <c>cipherResponse</c> (or <c>cipherMiniResponse</c> for an admin console request).
/// </summary>
public sealed record AttachmentUploadDataResponseModel
{
    public string Object { get; init; } = "attachment-fileUpload";
    public required string AttachmentId { get; init; }
    public required string Url { get; init; }
    public int FileUploadType { get; init; }
    public JsonElement? CipherResponse { get; init; }
    public JsonElement? CipherMiniResponse { get; init; }
}

/// <summary>
/// <c>GET /api/ciphers/{id}/attachment/{attachmentId}</c> (§2.5, §2.8): one attachment with a fresh absolute download
/// URL whose token authorizes that file alone for 5 minutes. <c>size</c> is a string, as the clients type it.
/// </summary>
public sealed record AttachmentResponseModel
{
    public string Object { get; init; } = "attachment";
    public required string Id { get; init; }
    public string? Url { get; init; }
    public required string FileName { get; init; }
    public string? Key { get; init; }
    public required string Size { get; init; }
    public required string SizeName { get; init; }
}

/// <summary><c>DELETE /api/ciphers/{id}/attachment/{attachmentId}</c> (§2.6): <c>{"cipher": …}</c>, the item as it now is.</summary>
public sealed record DeleteAttachmentResponseData
{
    public JsonElement? Cipher { get; init; }
}

/// <summary>
/// One entry of a cipher request's <c>attachments2</c> map (§2.9): the attachment's file name and key re-encrypted by
/// the client (key rotation, a new item key, a move into an organization). Replaces the stored pair of an attachment
/// of that same item; ignored for any other id.
/// </summary>
public sealed record CipherAttachmentModel
{
    public string? FileName { get; init; }
    public string? Key { get; init; }
}
