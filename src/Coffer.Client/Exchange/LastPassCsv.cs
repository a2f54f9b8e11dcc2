namespace Coffer.Client.Exchange;

/// <summary>
/// LastPass's CSV export: <c>url,username,password,totp,extra,name,grouping,fav</c>. A row whose URL is
/// <c>http://sn</c> is a secure note (its <c>extra</c> is the text); <c>extra</c> of a login is its notes; the
/// grouping becomes the folder with LastPass's <c>\</c> nesting turned into <c>/</c>, as in Bitwarden's
/// LastPassCsvImporter.
/// </summary>
internal static class LastPassCsv
{
    public static IEnumerable<ImportRow> Read(Stream stream) => CsvRows.Read(
        stream,
        r =>
        {
            var grouping = r["grouping"]?.Replace('\\', '/');
            var folder = grouping is null or "(none)" ? null : new string([.. grouping.Where(c => !char.IsControl(c))]);
            var favorite = r["fav"]?.Trim() == "1";
            var item = r["url"]?.Trim() == "http://sn"
                ? ImportItems.Note(r["name"], r["extra"]?.Trim(), favorite)
                : ImportItems.ToNoteIfEmpty(ImportItems.Login(r["name"], r["username"], r["password"], [r["url"]], r["extra"]?.Trim(), r["totp"], favorite));
            return ImportRow.Ok(r.Line, item, folder);
        },
        "url", "username", "password", "name");
}
