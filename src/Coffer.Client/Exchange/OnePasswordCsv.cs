using Coffer.Client.Vault;

namespace Coffer.Client.Exchange;

/// <summary>
/// 1Password 8's CSV export: <c>Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes</c>. Tags have no
/// Bitwarden counterpart, so they are kept as a text field named <c>Tags</c>; archived items are imported.
/// </summary>
internal static class OnePasswordCsv
{
    public static IEnumerable<ImportRow> Read(Stream stream) => CsvRows.Read(
        stream,
        r =>
        {
            IReadOnlyList<FieldView> fields = ImportItems.Value(r["Tags"]) is { } tags ? [new FieldView(0, "Tags", tags)] : [];
            var item = ImportItems.Login(r["Title"], r["Username"], r["Password"], [r["Url"]], r["Notes"]?.Trim(), r["OTPAuth"], ImportItems.Flag(r["Favorite"]), fields);
            return ImportRow.Ok(r.Line, ImportItems.ToNoteIfEmpty(item), null);
        },
        "Title", "Username", "Password");
}
