using System.Text.Json.Serialization;
using Coffer.Protocol.Api;

namespace Coffer.Client.Files;

/// <summary>
/// The file object of a Send as the server answers it (bitwarden-sharing-features.md §3.1): the requests' file name plus
/// the server's file id and the encrypted size (a string on the wire).
/// </summary>
public sealed record SendFileResponseModel
{
    public string? Id { get; init; }
    public string? FileName { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? Size { get; init; }

    public string? SizeName { get; init; }
}

/// <summary>A Send as its owner sees it (§3.1): in <c>GET /api/sends</c>, sync's <c>sends</c> and the create answers.</summary>
public sealed record SendResponseModel
{
    public Guid Id { get; init; }
    public required string AccessId { get; init; }
    public int Type { get; init; }
    public string? Name { get; init; }
    public string? Notes { get; init; }
    public SendTextModel? Text { get; init; }
    public SendFileResponseModel? File { get; init; }
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
public sealed record SendFileUploadDataResponseModel
{
    public int FileUploadType { get; init; }
    public required SendResponseModel SendResponse { get; init; }
}

/// <summary><c>POST /api/sends/access</c>'s <c>send-access</c> object (§3.8): what a recipient may see.</summary>
public sealed record SendAccessResponseModel
{
    public string? Id { get; init; }
    public int Type { get; init; }
    public string? Name { get; init; }
    public SendTextModel? Text { get; init; }
    public SendFileResponseModel? File { get; init; }
    public DateTime? ExpirationDate { get; init; }

    /// <summary>The owner's e-mail, or null when the owner chose to hide it.</summary>
    public string? CreatorIdentifier { get; init; }
}
