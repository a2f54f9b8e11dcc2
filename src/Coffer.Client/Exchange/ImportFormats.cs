namespace Coffer.Client.Exchange;

/// <summary>
/// The import formats, named as <c>bw import --formats</c> names them (plus <c>1passwordcsv</c>, 1Password 8's CSV).
/// Each reader streams <see cref="ImportRow"/>s from the file so a 100,000-row file never sits in memory whole
/// (the JSON and 1PUX readers hold their one document).
/// </summary>
public static class ImportFormats
{
    private static readonly Dictionary<string, Func<Stream, Func<string>?, IEnumerable<ImportRow>>> Readers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bitwardenjson"] = BitwardenJson.Read,
        ["bitwardencsv"] = (s, _) => BitwardenCsv.Read(s),
        ["chromecsv"] = (s, _) => ChromeCsv.Read(s),
        ["edgecsv"] = (s, _) => ChromeCsv.Read(s),
        ["bravecsv"] = (s, _) => ChromeCsv.Read(s),
        ["firefoxcsv"] = (s, _) => FirefoxCsv.Read(s),
        ["safaricsv"] = (s, _) => SafariCsv.Read(s),
        ["keepass2xml"] = (s, _) => KeePass2Xml.Read(s),
        ["keepassxcsv"] = (s, _) => KeePassXCsv.Read(s),
        ["1password1pux"] = (s, _) => OnePassword1Pux.Read(s),
        ["1passwordcsv"] = (s, _) => OnePasswordCsv.Read(s),
        ["lastpasscsv"] = (s, _) => LastPassCsv.Read(s),
    };

    public static IReadOnlyList<string> Names { get; } = [.. Readers.Keys];

    /// <summary>
    /// Reads <paramref name="file"/> in <paramref name="format"/>. <paramref name="filePassword"/> is asked only
    /// for a password-protected Bitwarden JSON export.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown format name.</exception>
    /// An item the server would refuse for its length is a bad row too.
    /// <exception cref="ImportFileException">(while enumerating) The file cannot be read at all.</exception>
    public static IEnumerable<ImportRow> Read(string format, Stream file, Func<string>? filePassword) =>
        Readers.TryGetValue(format, out var reader)
            ? reader(file, filePassword).Select(r => r.Item is { } item && ImportItems.TooLong(item) is { } problem ? ImportRow.Bad(r.Where, problem) : r)
            : throw new ArgumentException($"Unknown import format '{format}'. Formats: {string.Join(", ", Names)}.", nameof(format));
}
