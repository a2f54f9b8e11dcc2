using System.Text.Json.Serialization;

namespace Coffer.Server.Notifications;

/// <summary>
/// Bitwarden's <c>PushType</c> (notifications doc §7, upstream <c>src/Core/Platform/Push/PushType.cs</c>): the
/// <c>Type</c> of a notification. Only the values Coffer sends are listed.
/// </summary>
public enum PushType
{
    SyncCipherUpdate = 0,
    SyncCipherCreate = 1,
    SyncLoginDelete = 2,
    SyncFolderDelete = 3,
    SyncCiphers = 4,
    SyncVault = 5,
    SyncFolderCreate = 7,
    SyncFolderUpdate = 8,
    SyncSettings = 10,
    LogOut = 11,
}

/// <summary>
/// One notification for every live connection of <see cref="UserId"/>, on any node. It carries ids, types and
/// dates only, never vault data, so it fits a PostgreSQL NOTIFY payload.
/// </summary>
/// <param name="Type">What changed (doc §9 maps each change to its type).</param>
/// <param name="UserId">The recipient; also sent as <c>Payload.UserId</c>, which clients check against their account.</param>
/// <param name="Date">The item's stored revision date for item types (doc §10.2), else the time of the change; UTC.</param>
/// <param name="ItemId">The cipher or folder, for item types; null for account-wide types.</param>
/// <param name="ContextId">
/// The acting device's client identifier (doc §8), whose own connections do not receive the notification; null
/// sends it to every device.
/// </param>
public sealed record Notification(PushType Type, Guid UserId, DateTime Date, Guid? ItemId = null, string? ContextId = null)
{
    /// <summary>
    /// Whether delivery also ends every connection of the user after the message: the account's security stamp
    /// changed, so the tokens those connections were opened with are no longer valid (doc §2 "Token lifetime").
    /// </summary>
    [JsonIgnore]
    public bool EndsSessions => Type == PushType.LogOut;

    /// <summary>The <c>Payload</c> map of doc §7, in upstream's key order; values are string, Guid, DateTime or null.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Payload() => Type switch
    {
        PushType.SyncCipherUpdate or PushType.SyncCipherCreate or PushType.SyncLoginDelete =>
        [
            new("Id", ItemId), new("UserId", UserId), new("OrganizationId", null), new("CollectionIds", null), new("RevisionDate", Date),
        ],
        PushType.SyncFolderCreate or PushType.SyncFolderUpdate or PushType.SyncFolderDelete =>
        [
            new("Id", ItemId), new("UserId", UserId), new("RevisionDate", Date),
        ],
        _ => [new("UserId", UserId), new("Date", Date)],
    };
}
