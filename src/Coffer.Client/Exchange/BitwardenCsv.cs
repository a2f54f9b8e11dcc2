using System.Globalization;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using CsvHelper;

namespace Coffer.Client.Exchange;

/// <summary>
/// Bitwarden's CSV format (<c>folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp</c>),
/// as Bitwarden's BitwardenCsvImporter reads it and its export service writes it: logins and secure notes only,
/// custom fields as <c>name: value</c> lines, URIs separated by commas.
/// </summary>
public static class BitwardenCsv
{
    private static readonly string[] Header = ["folder", "favorite", "type", "name", "notes", "fields", "reprompt", "login_uri", "login_username", "login_password", "login_totp"];

    internal static IEnumerable<ImportRow> Read(Stream stream) => CsvRows.Read(
        stream,
        r =>
        {
            var fields = (r["fields"] ?? "").Split('\n').Select(l => l.TrimEnd('\r'))
                .Where(l => l.Contains(": ", StringComparison.Ordinal))
                .Select(l => new FieldView(0, l[..l.LastIndexOf(": ", StringComparison.Ordinal)], ImportItems.Value(l[(l.LastIndexOf(": ", StringComparison.Ordinal) + 2)..])))
                .ToList();
            var reprompt = int.TryParse(r["reprompt"], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value == 1 ? 1 : 0;
            var favorite = ImportItems.Value(r["favorite"]) is { } f && f != "0";
            var item = r["type"]?.Trim().ToUpperInvariant() == "NOTE"
                ? ImportItems.Note(r["name"], r["notes"], favorite, fields)
                : ImportItems.Login(r["name"], r.First("login_username", "username"), r.First("login_password", "password"), (r.First("login_uri", "uri") ?? "").Split(','), r["notes"], r.First("login_totp", "totp"), favorite, fields);
            return ImportRow.Ok(r.Line, item with { Reprompt = reprompt }, r["folder"]);
        },
        "name");

    /// <summary>Writes the vault's logins and notes (cards and identities have no columns in this format, as with <c>bw export</c>).</summary>
    public static void Write(Stream output, IEnumerable<VaultItem> items, IReadOnlyList<FolderView> folders)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(folders);
        var folderNames = folders.ToDictionary(f => f.Id, f => f.Name);
        using var csv = CsvWriter.Create(output, new CsvWriterOptions { NewLine = "\n" }, true);
        csv.WriteHeader(Header);
        foreach (var item in items.Where(i => i.Type is CipherType.Login or CipherType.SecureNote))
        {
            csv.WriteField(item.FolderId is { } id ? folderNames.GetValueOrDefault(id) : null);
            csv.WriteField(item.Favorite ? "1" : null);
            csv.WriteField(item.Type == CipherType.Login ? "login" : "note");
            csv.WriteField(item.Name);
            csv.WriteField(item.Notes);
            csv.WriteField(string.Join('\n', item.Fields.Select(f => $"{f.Name}: {f.Value}")));
            csv.WriteField(item.Reprompt.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(item.Login is { } l ? string.Join(',', l.Uris) : null);
            csv.WriteField(item.Login?.Username);
            csv.WriteField(item.Login?.Password);
            csv.WriteField(item.Login?.Totp);
            csv.EndRecord();
        }
    }
}
