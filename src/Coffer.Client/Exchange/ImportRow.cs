using Coffer.Client.Vault;

namespace Coffer.Client.Exchange;

/// <summary>
/// One record of an import file: an item and the folder it goes into (a path such as <c>Work/Mail</c>, nested the
/// way Bitwarden nests folders, with <c>/</c>; null for none), or why the record cannot be read.
/// <see cref="Where"/> says where the record is, for the person fixing the file: <c>line 12</c> (the 1-based line a
/// CSV record or an XML entry starts on) or <c>item 3</c> (in a JSON document).
/// </summary>
public sealed record ImportRow(string Where, VaultItem? Item, string? Folder, string? Error)
{
    public static ImportRow Ok(long line, VaultItem item, string? folder) => Ok($"line {line}", item, folder);

    public static ImportRow Ok(string where, VaultItem item, string? folder) =>
        new(where, item, string.IsNullOrWhiteSpace(folder) ? null : folder.Trim(), null);

    public static ImportRow Bad(long line, string error) => new($"line {line}", null, null, error);

    public static ImportRow Bad(string where, string error) => new(where, null, null, error);
}

/// <summary>An import file that cannot be read at all (not a zip, not XML, wrong file password): nothing is imported.</summary>
public sealed class ImportFileException : Exception
{
    public ImportFileException()
    {
    }

    public ImportFileException(string message)
        : base(message)
    {
    }

    public ImportFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
