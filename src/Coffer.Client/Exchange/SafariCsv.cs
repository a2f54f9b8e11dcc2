namespace Coffer.Client.Exchange;

/// <summary>Safari's and Apple Passwords' export: <c>Title,URL,Username,Password,Notes,OTPAuth</c>.</summary>
internal static class SafariCsv
{
    public static IEnumerable<ImportRow> Read(Stream stream) => CsvRows.Read(
        stream,
        r => ImportRow.Ok(r.Line, ImportItems.Login(r["Title"], r["Username"], r["Password"], [r["URL"]], r["Notes"]?.Trim(), r["OTPAuth"]), null),
        "Title", "Username", "Password");
}
