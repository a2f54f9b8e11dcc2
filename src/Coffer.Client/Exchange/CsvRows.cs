using CsvHelper;

namespace Coffer.Client.Exchange;

/// <summary>One CSV record by header name (case-insensitive); a name the file lacks reads as null.</summary>
internal sealed class CsvRecord(long line, Dictionary<string, string> cells)
{
    public long Line { get; } = line;

    public string? this[string column] => cells.TryGetValue(column, out var value) ? value : null;

    public string? First(params string[] columns) => columns.Select(c => this[c]).FirstOrDefault(v => v is not null);
}

/// <summary>
/// Reads a CSV file with a header row through CsvHelper (RFC 4180: quoted fields, doubled quotes, line breaks
/// inside quotes, a UTF-8 byte-order mark). A record whose field count differs from the header's, or with a stray
/// quote, is a bad row with the line it starts on.
/// </summary>
internal static class CsvRows
{
    public static IEnumerable<ImportRow> Read(Stream stream, Func<CsvRecord, ImportRow?> map, params string[] requiredColumns)
    {
        var malformed = new Queue<CsvMalformedRecord>();
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = true,
            TrackLineNumbers = true,
            FieldCountMismatch = CsvFieldCountHandling.Skip,
            MalformedData = CsvMalformedDataHandling.Skip,
            OnMalformedRecord = malformed.Enqueue,
        };
        using var csv = CsvReader.Create(stream, options, true);
        csv.ReadHeader();
        var header = csv.Headers.Select(h => h.Trim()).ToArray();
        if (header.Length == 0)
        {
            throw new ImportFileException("The file is empty: a CSV import needs a header row.");
        }

        var missing = requiredColumns.Where(c => !header.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0)
        {
            throw new ImportFileException($"The header row lacks {string.Join(", ", missing)}; is this the right format? It has: {string.Join(",", header)}.");
        }

        while (true)
        {
            var more = csv.Read();
            while (malformed.TryDequeue(out var bad))
            {
                yield return ImportRow.Bad(bad.LineNumber, Reason(bad.Reason, header.Length));
            }

            if (!more)
            {
                break;
            }

            var cells = new Dictionary<string, string>(header.Length, StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Length; i++)
            {
                cells.TryAdd(header[i], csv.GetString(i));
            }

            if (map(new CsvRecord(csv.LineNumber, cells)) is { } row)
            {
                yield return row;
            }
        }
    }

    private static string Reason(CsvMalformedReason reason, int columns) => reason switch
    {
        CsvMalformedReason.FieldCountMismatch => $"the record does not have the header's {columns} fields.",
        CsvMalformedReason.UnterminatedQuote => "a quoted field is never closed.",
        CsvMalformedReason.StrayQuote => "a quote inside a field that is not quoted.",
        CsvMalformedReason.TextAfterClosingQuote => "text after the closing quote of a field.",
        _ => $"malformed ({reason}).",
    };
}
