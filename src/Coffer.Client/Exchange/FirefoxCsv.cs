namespace Coffer.Client.Exchange;

/// <summary>
/// Firefox's <c>logins.csv</c> (<c>url,username,password,httpRealm,formActionOrigin,guid,timeCreated,…</c>). It has
/// no names, so the URL's host (without <c>www.</c>) stands in, and the Firefox account row is skipped, as in
/// Bitwarden's FirefoxCsvImporter.
/// </summary>
internal static class FirefoxCsv
{
    public static IEnumerable<ImportRow> Read(Stream stream) => CsvRows.Read(
        stream,
        r =>
        {
            var url = ImportItems.Value(r["url"]) ?? r["hostname"];
            return url == "chrome://FirefoxAccounts"
                ? null
                : ImportRow.Ok(r.Line, ImportItems.Login(ImportItems.NameFromUrl(url), r["username"], r["password"], [url]), null);
        },
        "username", "password");
}
