using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using static Coffer.Client.Exchange.JsonFields;

namespace Coffer.Client.Exchange;

/// <summary>
/// 1Password 8's 1PUX export: a zip whose <c>export.data</c> is JSON,
/// <c>accounts[].vaults[].{attrs.name, items[]}</c>, each item with <c>categoryUuid</c>, <c>favIndex</c>,
/// <c>overview{title,url,urls[],tags[]}</c> and <c>details{loginFields[],notesPlain,sections[].fields[],passwordHistory[]}</c>.
/// The vault's name is the folder; logins (001) and passwords (005) are logins, cards (002) cards, secure notes (003)
/// notes, and every other category a note with its fields; section fields become custom fields (concealed ones
/// hidden), a <c>totp</c> value the login's TOTP. Trashed items are skipped.
/// </summary>
internal static class OnePassword1Pux
{
    public static IEnumerable<ImportRow> Read(Stream stream)
    {
        JsonDocument document;
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var data = zip.GetEntry("export.data") ?? throw new ImportFileException("The 1PUX file has no export.data.");
            using var entry = data.Open();
            document = JsonDocument.Parse(entry);
        }
        catch (InvalidDataException e)
        {
            throw new ImportFileException($"The file is not a 1PUX (zip) export: {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new ImportFileException($"export.data is not JSON: {e.Message}", e);
        }

        using (document)
        {
            var index = 0;
            foreach (var account in Array(document.RootElement, "accounts"))
            {
                foreach (var vault in Array(account, "vaults"))
                {
                    var folder = vault.TryGetProperty("attrs", out var attrs) ? Text(attrs, "name") : null;
                    foreach (var item in Array(vault, "items"))
                    {
                        index++;
                        if (item.TryGetProperty("trashed", out var trashed) && trashed.ValueKind == JsonValueKind.True || Text(item, "state") == "deleted")
                        {
                            continue;
                        }

                        yield return ImportRow.Ok($"item {index}", Item(item), folder);
                    }
                }
            }
        }
    }

    private static VaultItem Item(JsonElement item)
    {
        var overview = item.TryGetProperty("overview", out var o) ? o : default;
        var details = item.TryGetProperty("details", out var d) ? d : default;
        var category = Text(item, "categoryUuid");
        var fields = new List<FieldView>();
        string? username = null, password = null, totp = null;
        foreach (var field in Array(details, "loginFields"))
        {
            var value = Text(field, "value");
            switch (Text(field, "designation"))
            {
                case "username": username = value; break;
                case "password": password = value; break;
                default:
                    if (!string.IsNullOrEmpty(value))
                    {
                        fields.Add(new FieldView(Text(field, "fieldType") == "P" ? 1 : 0, Text(field, "name"), value));
                    }

                    break;
            }
        }

        var card = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var section in Array(details, "sections"))
        {
            foreach (var field in Array(section, "fields"))
            {
                if (!field.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var kind in value.EnumerateObject())
                {
                    var text = kind.Value.ValueKind switch
                    {
                        JsonValueKind.String => kind.Value.GetString(),
                        JsonValueKind.Number => kind.Value.GetRawText(),
                        JsonValueKind.Object => string.Join(", ", kind.Value.EnumerateObject().Select(p => p.Value.ToString()).Where(v => v.Length > 0)),
                        _ => null,
                    };
                    if (string.IsNullOrEmpty(text))
                    {
                        continue;
                    }

                    var id = Text(field, "id") ?? "";
                    if (kind.Name == "totp" && totp is null)
                    {
                        totp = text;
                    }
                    else if (category == "002" && id is "cardholder" or "ccnum" or "cvv" or "expiry" or "type")
                    {
                        card[id] = text;
                    }
                    else
                    {
                        fields.Add(new FieldView(kind.Name == "concealed" ? 1 : 0, Text(field, "title") is { Length: > 0 } title ? title : id, text));
                    }
                }
            }
        }

        var name = Text(overview, "title");
        var notes = Text(details, "notesPlain");
        var favorite = item.TryGetProperty("favIndex", out var fav) && fav.ValueKind == JsonValueKind.Number && fav.GetInt32() > 0;
        if (Array(overview, "tags").Select(t => t.GetString()).OfType<string>().ToList() is { Count: > 0 } tags)
        {
            fields.Add(new FieldView(0, "Tags", string.Join(", ", tags)));
        }

        switch (category)
        {
            case "001" or "005":
                var uris = new List<string?> { Text(overview, "url") };
                uris.AddRange(Array(overview, "urls").Select(u => Text(u, "url")));
                var login = ImportItems.Login(name, username, password, uris.Distinct(StringComparer.Ordinal), notes, totp, favorite, fields);
                var history = Array(details, "passwordHistory")
                    .Where(p => Text(p, "value") is not null && p.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.Number)
                    .Select(p => new PasswordHistoryView(Text(p, "value")!, DateTimeOffset.FromUnixTimeSeconds(p.GetProperty("time").GetInt64()).UtcDateTime))
                    .ToList();
                return login with { PasswordHistory = history };
            case "002":
                var expiry = card.GetValueOrDefault("expiry") ?? "";
                return ImportItems.Note(name, notes, favorite, fields) with
                {
                    Type = CipherType.Card,
                    Card = new CardView
                    {
                        CardholderName = card.GetValueOrDefault("cardholder"),
                        Number = card.GetValueOrDefault("ccnum"),
                        Code = card.GetValueOrDefault("cvv"),
                        Brand = card.GetValueOrDefault("type"),
                        // monthYear values are YYYYMM numbers.
                        ExpYear = expiry.Length == 6 ? expiry[..4] : null,
                        ExpMonth = expiry.Length == 6 ? int.Parse(expiry[4..], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) : null,
                    },
                };
            default:
                if (username is not null || password is not null)
                {
                    fields.InsertRange(0, [new FieldView(0, "username", username), new FieldView(1, "password", password)]);
                }

                return ImportItems.Note(name, notes, favorite, fields);
        }
    }
}
