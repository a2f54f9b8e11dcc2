using System.Text.Json.Serialization;
using Coffer.Protocol.Api;

namespace Coffer.Client.Files;

/// <summary><c>POST /api/ciphers/{id}/attachment/v2</c> (bitwarden-sharing-features.md §2.2); <c>fileSize</c> is the encrypted length.</summary>
public sealed record AttachmentSlotRequest
{
    public required string Key { get; init; }
    public required string FileName { get; init; }
    public long FileSize { get; init; }
    public bool AdminRequest { get; init; }
    public DateTime? LastKnownRevisionDate { get; init; }
}

/// <summary>The upload slot (§2.2): upload to <c>/api/ciphers/{id}/attachment/{attachmentId}</c> when <c>fileUploadType</c> is 0 (direct).</summary>
public sealed record AttachmentSlotResponse
{
    public required string AttachmentId { get; init; }
    public int FileUploadType { get; init; }
    public CipherDetailsResponseModel? CipherResponse { get; init; }
}

/// <summary>One entry of a cipher's <c>attachments</c> (§2.8); <c>size</c> (encrypted bytes) arrives as a string.</summary>
public sealed record AttachmentModel
{
    public required string Id { get; init; }
    public string? Url { get; init; }
    public required string FileName { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long Size { get; init; }

    public string? SizeName { get; init; }
    public string? Key { get; init; }
}

/// <summary>A download link: <c>GET …/attachment/{aid}</c> (§2.5) and <c>send-fileDownload</c> (§3.8); absolute and self-authorising.</summary>
public sealed record FileDownloadModel
{
    public string? Id { get; init; }
    public required string Url { get; init; }
}

/// <summary>A text Send's content (§3.1).</summary>
public sealed record SendTextModel
{
    public string? Text { get; init; }
    public bool Hidden { get; init; }
}

/// <summary>A file Send's file (§3.1): <c>id</c> and sizes are set by the server.</summary>
public sealed record SendFileModel
{
    public string? Id { get; init; }
    public string? FileName { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? Size { get; init; }

    public string? SizeName { get; init; }
}

/// <summary>
/// <c>POST /api/sends</c> (type 0) and <c>POST /api/sends/file/v2</c> (type 1, with <c>fileLength</c>), §3.4–§3.5:
/// name, notes, text and file name under the Send key; <c>key</c> the seed under the user key; <c>password</c> the
/// Send password hash, absent (not null) without one, as the clients send it.
/// </summary>
public sealed record SendRequest
{
    public int Type { get; init; }
    public required string Name { get; init; }
    public string? Notes { get; init; }
    public required string Key { get; init; }
    public int? MaxAccessCount { get; init; }
    public DateTime? ExpirationDate { get; init; }
    public DateTime DeletionDate { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Password { get; init; }

    public string? Emails { get; init; }
    public bool Disabled { get; init; }
    public bool HideEmail { get; init; }

    /// <summary>1 = password, 2 = none (0, e-mail verification, is not supported).</summary>
    public int AuthType { get; init; }

    public SendTextModel? Text { get; init; }
    public SendFileModel? File { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? FileLength { get; init; }
}

/// <summary>A Send as its owner sees it (§3.1): in <c>GET /api/sends</c>, sync's <c>sends</c> and the create answers.</summary>
public sealed record SendModel
{
    public Guid Id { get; init; }
    public required string AccessId { get; init; }
    public int Type { get; init; }
    public string? Name { get; init; }
    public string? Notes { get; init; }
    public SendTextModel? Text { get; init; }
    public SendFileModel? File { get; init; }
    public required string Key { get; init; }
    public int? MaxAccessCount { get; init; }
    public int AccessCount { get; init; }

    /// <summary>Non-null when the Send has a password (a marker; the clients only test it for null).</summary>
    public string? Password { get; init; }

    public int AuthType { get; init; }
    public bool Disabled { get; init; }
    public bool HideEmail { get; init; }
    public DateTime RevisionDate { get; init; }
    public DateTime? ExpirationDate { get; init; }
    public DateTime DeletionDate { get; init; }
}

/// <summary><c>POST /api/sends/file/v2</c>'s answer (§3.5): upload to <c>/api/sends/{id}/file/{sendResponse.file.id}</c>.</summary>
public sealed record SendFileUploadResponse
{
    public int FileUploadType { get; init; }
    public required SendModel SendResponse { get; init; }
}

/// <summary><c>POST /api/sends/access</c>'s <c>send-access</c> object (§3.8): what a recipient may see.</summary>
public sealed record SendAccessModel
{
    public string? Id { get; init; }
    public int Type { get; init; }
    public string? Name { get; init; }
    public SendTextModel? Text { get; init; }
    public SendFileModel? File { get; init; }
    public DateTime? ExpirationDate { get; init; }

    /// <summary>The owner's e-mail, or null when the owner chose to hide it.</summary>
    public string? CreatorIdentifier { get; init; }
}
