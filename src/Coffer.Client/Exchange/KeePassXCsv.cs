namespace Coffer.Client.Exchange;

/// <summary>
/// KeePassXC's CSV export: <c>"Group","Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created"</c>.
/// The group path becomes the folder without the database's root group (<c>Root/Mail</c> is <c>Mail</c>, and entries
/// of the root group itself get no folder, where Bitwarden would make a folder named <c>Root</c>); rows without a
/// title are skipped, as in Bitwarden's KeePassXCsvImporter.
/// </summary>
internal static class KeePassXCsv
{
    public static IEnumerable<ImportRow> Read(Stream stream) => CsvRows.Read(
        stream,
        r => string.IsNullOrWhiteSpace(r["Title"])
            ? null
            : ImportRow.Ok(r.Line, ImportItems.Login(r["Title"], r["Username"], r["Password"], [r["URL"]], r["Notes"]?.Trim(), r["TOTP"]), WithoutRoot(r["Group"])),
        "Group", "Title", "Username", "Password");

    internal static string? WithoutRoot(string? group)
    {
        if (string.IsNullOrWhiteSpace(group))
        {
            return null;
        }

        var slash = group.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? null : group[(slash + 1)..];
    }
}
