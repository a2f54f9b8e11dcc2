using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Errors;

namespace Coffer.Server.Sends;

/// <summary>
/// The checks of a Send create or edit request (<c>bitwarden-sharing-features.md</c> §3.4–§3.6, the union of
/// Vaultwarden's <c>create_send</c> and upstream's <c>SendRequestModel.ValidateEdit</c>), and copying an accepted
/// request onto the stored Send. Each check answers a Bitwarden 400 naming the field, or null.
/// </summary>
public static class SendValidation
{
    /// <summary>Upstream's limit for <c>key</c>, <c>name</c> and <c>password</c>.</summary>
    private const int MaxShortLength = 1000;

    /// <summary>Notes and text: a few thousand characters of plain text once encrypted and Base64-encoded.</summary>
    private const int MaxLongLength = 20_000;

    /// <summary>How far ahead a deletion date may be (§3.4): 31 days.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(31);

    public const string FileOnTextRoute = "File sends should use /api/sends/file/v2.";
    public const string DeletionTooFar = "You cannot have a Send with a deletion date that far into the future. Adjust the Deletion Date to a value less than 31 days from now and try again.";

    /// <summary>Checks a create or edit; <paramref name="type"/> is the Send's type (the stored one on edit).</summary>
    public static IResult? Check(SendRequestModel request, int type, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Type is not (0 or 1))
        {
            return BitwardenErrors.BadRequest("Type must be 0 (text) or 1 (file).", "type");
        }

        if (request.AuthType == 0 || !string.IsNullOrEmpty(request.Emails))
        {
            return BitwardenErrors.BadRequest("Sends with email verification are not supported.", "emails");
        }

        if (request.AuthType is { } auth and not (1 or 2))
        {
            return BitwardenErrors.BadRequest("authType must be 1 (password) or 2 (none).", "authType");
        }

        if (!IsEncString(request.Key, MaxShortLength))
        {
            return BitwardenErrors.BadRequest("The key must be an EncString (type 2) of at most 1000 characters.", "key");
        }

        if (!IsEncString(request.Name, MaxShortLength))
        {
            return BitwardenErrors.BadRequest("The name must be an EncString (type 2) of at most 1000 characters.", "name");
        }

        if (request.Notes is not null && !IsEncString(request.Notes, MaxLongLength))
        {
            return BitwardenErrors.BadRequest("The notes must be an EncString (type 2).", "notes");
        }

        if (request.Password is { Length: > MaxShortLength })
        {
            return BitwardenErrors.BadRequest("The password hash is too long.", "password");
        }

        if (request.MaxAccessCount is < 0)
        {
            return BitwardenErrors.BadRequest("maxAccessCount must be a positive number.", "maxAccessCount");
        }

        return CheckContent(request, type) ?? CheckDates(request, now);
    }

    private static IResult? CheckContent(SendRequestModel request, int type)
    {
        if (type == 0)
        {
            return request.Text is { } text && (text.Text is null || IsEncString(text.Text, MaxLongLength))
                ? null
                : BitwardenErrors.BadRequest("A text Send needs a text object whose text is an EncString (type 2).", "text");
        }

        return request.File is { } file && IsEncString(file.FileName, MaxShortLength)
            ? null
            : BitwardenErrors.BadRequest("A file Send needs a file object whose fileName is an EncString (type 2).", "file");
    }

    private static IResult? CheckDates(SendRequestModel request, DateTime now)
    {
        if (request.DeletionDate is not { } deletion)
        {
            return BitwardenErrors.BadRequest("A deletion date is required.", "deletionDate");
        }

        deletion = deletion.ToUniversalTime();
        if (deletion <= now.AddMinutes(1))
        {
            return BitwardenErrors.BadRequest("The deletion date must be in the future.", "deletionDate");
        }

        if (deletion > now + MaxLifetime)
        {
            return BitwardenErrors.BadRequest(DeletionTooFar, "deletionDate");
        }

        if (request.ExpirationDate is { } expiration)
        {
            expiration = expiration.ToUniversalTime();
            if (expiration <= now)
            {
                return BitwardenErrors.BadRequest("The expiration date must be in the future.", "expirationDate");
            }

            if (expiration > deletion)
            {
                return BitwardenErrors.BadRequest("The expiration date must not be after the deletion date.", "expirationDate");
            }
        }

        return null;
    }

    /// <summary>
    /// Copies what a create or edit may set: name, notes, key, the text (text Sends; a file Send's file never changes
    /// after creation), the limits, the dates and the flags. Not the password (the caller decides, §3.6), not the
    /// access count.
    /// </summary>
    public static void Apply(SendRequestModel request, Send send, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(send);
        send.Name = request.Name!;
        send.Notes = request.Notes;
        send.Key = request.Key!;
        if (send.Type == 0)
        {
            send.Data = JsonSerializer.Serialize(new { text = request.Text!.Text, hidden = request.Text.Hidden });
        }

        send.MaxAccessCount = request.MaxAccessCount;
        // In whole microseconds, as PostgreSQL stores them (Data/StorageClock): the answer equals what sync reads back.
        send.ExpirationDate = request.ExpirationDate is { } expiration ? Stored(expiration) : null;
        send.DeletionDate = Stored(request.DeletionDate!.Value);
        send.Disabled = request.Disabled ?? false;
        send.HideEmail = request.HideEmail ?? false;
        send.RevisionDate = now;
    }

    /// <summary>A key rotation's Sends (<c>accountData.sends</c>): each needs its seed wrapped under the new user key.</summary>
    public static IResult? CheckRotatedKeys(IEnumerable<SendWithIdRequestModel> sends) =>
        sends.All(s => IsEncString(s.Key, MaxShortLength))
            ? null
            : BitwardenErrors.BadRequest("Every entry of sends needs its key as an EncString (type 2).", "sends");

    /// <summary>The stored content of a new file Send: only the encrypted file name (the client's <c>response</c> artefact dropped).</summary>
    public static string FileData(SendRequestModel request) => JsonSerializer.Serialize(new { fileName = request.File!.FileName });

    private static DateTime Stored(DateTime date) => Data.StorageClock.Truncate(new DateTimeOffset(date.ToUniversalTime())).UtcDateTime;

    private static bool IsEncString(string? value, int maxLength) =>
        value is not null && value.Length <= maxLength && WireValidation.IsSymmetricEncString(value);
}
