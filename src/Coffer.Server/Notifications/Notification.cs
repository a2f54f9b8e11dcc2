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
    SyncOrgKeys = 6,
    SyncFolderCreate = 7,
    SyncFolderUpdate = 8,
    SyncSettings = 10,
    LogOut = 11,
    SyncSendCreate = 12,
    SyncSendUpdate = 13,
    SyncSendDelete = 14,
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
/// <param name="OnlyDevice">When set, only that device's connections (by client identifier) receive it: a removed device.</param>
/// <param name="OrganizationId">For an organization item: its organization (doc §7, <c>bitwarden-organizations.md</c> §10).</param>
/// <param name="CollectionIds">
/// For an organization item: its collections. Clients ignore an organization item notification unless one of these
/// is a collection they have, so they are always sent for organization items.
/// </param>
public sealed record Notification(PushType Type, Guid UserId, DateTime Date, Guid? ItemId = null, string? ContextId = null, string? OnlyDevice = null,
    Guid? OrganizationId = null, IReadOnlyList<Guid>? CollectionIds = null)
{
    /// <summary>
    /// Whether delivery also ends the receiving connections after the message: the account's security stamp changed
    /// (or the device was removed), so the tokens they were opened with are no longer valid (doc §2 "Token lifetime").
    /// </summary>
    [JsonIgnore]
    public bool EndsSessions => Type == PushType.LogOut;

    /// <summary>
    /// The argument of the <c>ReceiveMessage</c> invocation (doc §4), with the <c>Payload</c> of doc §7 in upstream's
    /// key order. Guids become their 36-character strings and dates the MessagePack timestamp extension (doc §5).
    /// </summary>
    public PushNotificationData Message()
    {
        var date = DateTime.SpecifyKind(Date, DateTimeKind.Utc);
        Dictionary<string, object?> payload = Type switch
        {
            PushType.SyncCipherUpdate or PushType.SyncCipherCreate or PushType.SyncLoginDelete => new()
            {
                ["Id"] = ItemId,
                ["UserId"] = UserId,
                ["OrganizationId"] = OrganizationId,
                // Strings, as upstream's serializer writes a Guid (doc §4), whatever the resolver does with a list.
                ["CollectionIds"] = CollectionIds?.Select(id => id.ToString()).ToArray(),
                ["RevisionDate"] = date,
            },
            // Sends carry the folder shape (doc §7, bitwarden-sharing-features.md §3.12: Id, UserId, RevisionDate).
            PushType.SyncFolderCreate or PushType.SyncFolderUpdate or PushType.SyncFolderDelete
                or PushType.SyncSendCreate or PushType.SyncSendUpdate or PushType.SyncSendDelete => new()
                {
                    ["Id"] = ItemId,
                    ["UserId"] = UserId,
                    ["RevisionDate"] = date,
                },
            _ => new() { ["UserId"] = UserId, ["Date"] = date },
        };
        return new PushNotificationData(ContextId, (int)Type, payload);
    }

    /// <summary>
    /// The same change as a non-forced full sync (<see cref="PushType.SyncCiphers"/>) for the same account: what an
    /// organization item notification becomes when its collection list is too long for a PostgreSQL NOTIFY payload.
    /// The account revision date was bumped with the change, so the recipient's sync still fetches it.
    /// </summary>
    public Notification AsFullSync() => new(PushType.SyncCiphers, UserId, Date, ContextId: ContextId, OnlyDevice: OnlyDevice);
}

/// <summary>
/// Upstream's <c>PushNotificationData</c> (doc §4): serialized by property name, in this order, by SignalR's
/// MessagePack protocol (its contractless resolver) and by its JSON protocol (with PascalCase kept, see
/// <see cref="NotificationHub"/>). <see cref="Type"/> is an int, not <see cref="PushType"/>: SignalR's MessagePack
/// resolver would write an enum as its name. The payload is a map, not a type, as its keys vary with the type.
/// </summary>
public sealed record PushNotificationData(string? ContextId, int Type, IReadOnlyDictionary<string, object?> Payload);
