namespace Coffer.Client.Exchange;

/// <summary>
/// Chrome's, Edge's and Brave's password export (<c>name,url,username,password[,note]</c>), read as Bitwarden's
/// ChromeCsvImporter reads it: a missing name is <c>--</c>.
/// </summary>
internal static class ChromeCsv
{
    public static IEnumerable<ImportRow> Read(Stream stream) => CsvRows.Read(
        stream,
        r => ImportRow.Ok(r.Line, ImportItems.Login(r["name"], r["username"], r["password"], [r["url"]], r["note"]?.Trim()), null),
        "url", "username", "password");
}
