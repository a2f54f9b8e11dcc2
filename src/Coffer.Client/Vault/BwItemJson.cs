using System.Globalization;
using System.Text.Json.Nodes;
using Coffer.Protocol.Api;

namespace Coffer.Client.Vault;

/// <summary>
/// Decrypted items and folders as JSON in the shape the <c>bw</c> CLI prints them (<c>bw get item</c>,
/// <c>bw list items</c>: apps/cli/src/vault/models/cipher.response.ts over libs/common/src/models/export/*),
/// so a script written for <c>bw</c> reads <c>coffer</c>'s output: <c>"object": "item"</c>, the type object by
/// <c>type</c>, <c>login.uris</c> as <c>[{"match", "uri"}]</c>, dates as ISO 8601 UTC with milliseconds.
/// </summary>
public static class BwItemJson
{
    public static JsonObject Item(VaultItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var json = new JsonObject
        {
            ["passwordHistory"] = item.PasswordHistory.Count == 0 ? null : new JsonArray([.. item.PasswordHistory.Select(p =>
                new JsonObject { ["lastUsedDate"] = Date(p.LastUsedDate), ["password"] = p.Password })]),
            ["revisionDate"] = Date(item.RevisionDate),
            ["creationDate"] = Date(item.CreationDate),
            ["deletedDate"] = Date(item.DeletedDate),
            ["object"] = "item",
            ["id"] = item.Id?.ToString(),
            ["organizationId"] = item.OrganizationId?.ToString(),
            ["folderId"] = item.FolderId?.ToString(),
            ["type"] = (int)item.Type,
            ["reprompt"] = item.Reprompt,
            ["name"] = item.Name,
            ["notes"] = item.Notes,
            ["favorite"] = item.Favorite,
            ["fields"] = new JsonArray([.. item.Fields.Select(f =>
                new JsonObject { ["name"] = f.Name, ["value"] = f.Value, ["type"] = f.Type, ["linkedId"] = f.LinkedId })]),
        };
        switch (item.Type)
        {
            case CipherType.Login:
                var login = item.Login ?? new LoginView();
                json["login"] = new JsonObject
                {
                    ["uris"] = new JsonArray([.. login.Uris.Select(u => new JsonObject
                    {
                        ["match"] = login.Matches.TryGetValue(u, out var match) ? (int)match : null,
                        ["uri"] = u,
                    })]),
                    ["username"] = login.Username,
                    ["password"] = login.Password,
                    ["totp"] = login.Totp,
                    ["passwordRevisionDate"] = Date(login.PasswordRevisionDate),
                };
                break;
            case CipherType.SecureNote:
                json["secureNote"] = new JsonObject { ["type"] = 0 };
                break;
            case CipherType.Card:
                var card = item.Card ?? new CardView();
                json["card"] = new JsonObject
                {
                    ["cardholderName"] = card.CardholderName,
                    ["brand"] = card.Brand,
                    ["number"] = card.Number,
                    ["expMonth"] = card.ExpMonth,
                    ["expYear"] = card.ExpYear,
                    ["code"] = card.Code,
                };
                break;
            case CipherType.Identity:
                json["identity"] = Identity(item.Identity ?? new IdentityView());
                break;
            default:
                break;
        }

        json["collectionIds"] = new JsonArray([.. item.CollectionIds.Select(id => (JsonNode)id.ToString())]);
        return json;
    }

    public static JsonObject Folder(FolderView folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return new JsonObject { ["object"] = "folder", ["id"] = folder.Id.ToString(), ["name"] = folder.Name };
    }

    private static JsonObject Identity(IdentityView i) => new()
    {
        ["title"] = i.Title,
        ["firstName"] = i.FirstName,
        ["middleName"] = i.MiddleName,
        ["lastName"] = i.LastName,
        ["address1"] = i.Address1,
        ["address2"] = i.Address2,
        ["address3"] = i.Address3,
        ["city"] = i.City,
        ["state"] = i.State,
        ["postalCode"] = i.PostalCode,
        ["country"] = i.Country,
        ["company"] = i.Company,
        ["email"] = i.Email,
        ["phone"] = i.Phone,
        ["ssn"] = i.Ssn,
        ["username"] = i.Username,
        ["passportNumber"] = i.PassportNumber,
        ["licenseNumber"] = i.LicenseNumber,
    };

    // Sync dates arrive as UTC; an unspecified kind is read as UTC too, never as local time.
    private static string? Date(DateTime? date) =>
        (date?.Kind == DateTimeKind.Local ? date.Value.ToUniversalTime() : date)?.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
