using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Client.Exchange;

/// <summary>
/// What every importer shares, following Bitwarden's BaseImporter (libs/importer/src/importers/base-importer.ts)
/// so a file gives the same items here as with <c>bw import</c>: URIs without a scheme get <c>http://</c>, a missing
/// name becomes <c>--</c> or the URL's host, and a login with no username, password, TOTP or URI is a secure note.
/// </summary>
internal static class ImportItems
{
    public const string NoName = "--";

    public static string? Value(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    public static VaultItem Login(string? name, string? username, string? password, IEnumerable<string?> uris, string? notes = null, string? totp = null, bool favorite = false, IReadOnlyList<FieldView>? fields = null)
    {
        var item = new VaultItem
        {
            Type = CipherType.Login,
            Name = Value(name) ?? NoName,
            Notes = Value(notes),
            Favorite = favorite,
            Fields = fields ?? [],
            Login = new LoginView { Username = Value(username), Password = Value(password), Totp = Value(totp), Uris = Uris(uris) },
        };
        return ToNoteIfEmpty(item);
    }

    public static VaultItem Note(string? name, string? notes, bool favorite = false, IReadOnlyList<FieldView>? fields = null) => new()
    {
        Type = CipherType.SecureNote,
        Name = Value(name) ?? NoName,
        Notes = Value(notes),
        Favorite = favorite,
        Fields = fields ?? [],
    };

    /// <summary>BaseImporter.convertToNoteIfNeeded: a login that holds nothing of a login is kept as a note.</summary>
    public static VaultItem ToNoteIfEmpty(VaultItem item) =>
        item.Login is { Username: null, Password: null, Totp: null, Uris.Count: 0 }
            ? item with { Type = CipherType.SecureNote, Login = null }
            : item;

    public static IReadOnlyList<string> Uris(IEnumerable<string?> uris) =>
        [.. uris.Select(FixUri).OfType<string>()];

    /// <summary>BaseImporter.fixUri: trimmed, <c>http://</c> added to a host without a scheme, at most 1000 characters.</summary>
    public static string? FixUri(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            return null;
        }

        uri = uri.Trim();
        if (!uri.Contains("://", StringComparison.Ordinal) && uri.Contains('.', StringComparison.Ordinal))
        {
            uri = "http://" + uri;
        }

        return uri.Length > 1000 ? uri[..1000] : uri;
    }

    /// <summary>BaseImporter.nameFromUrl: the host without a leading <c>www.</c>, or null.</summary>
    public static string? NameFromUrl(string? url)
    {
        var fixedUri = FixUri(url);
        if (fixedUri is null || !Uri.TryCreate(fixedUri, UriKind.Absolute, out var parsed) || string.IsNullOrEmpty(parsed.Host))
        {
            return null;
        }

        return parsed.Host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? parsed.Host[4..] : parsed.Host;
    }

    public static bool Flag(string? text) =>
        text?.Trim() is "1" or "true" or "True" or "TRUE" or "yes";

    /// <summary>
    /// Why the server would refuse this item, checked before anything is sent so one long note cannot stop an
    /// import half way: upstream's [EncryptedStringLength] limits count characters of the EncString, which for
    /// <c>n</c> UTF-8 bytes is <c>2 + 24 + 1 + 4⌈c/3⌉ + 1 + 44</c> with <c>c = 16(⌊n/16⌋ + 1)</c>.
    /// </summary>
    public static string? TooLong(VaultItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var checks = new List<(string Name, string? Value, int Max)>
        {
            ("name", item.Name, 1000),
            ("notes", item.Notes, 10_000),
            ("username", item.Login?.Username, 5000),
            ("password", item.Login?.Password, 5000),
            ("TOTP", item.Login?.Totp, 5000),
        };
        checks.AddRange(item.Login?.Uris.Select(u => ("URI", (string?)u, 10_000)) ?? []);
        checks.AddRange(item.Fields.SelectMany(f => new[] { ("field name", f.Name, 5000), ($"field '{f.Name}'", f.Value, 10_000) }));
        foreach (var (name, value, max) in checks)
        {
            if (value is not null && EncryptedLength(value) > max)
            {
                return $"the {name} is too long ({value.Length} characters; the server takes about {(max - 72) * 3 / 4 - 16} bytes).";
            }
        }

        return null;
    }

    private static long EncryptedLength(string value)
    {
        long bytes = System.Text.Encoding.UTF8.GetByteCount(value);
        var cipher = 16 * ((bytes / 16) + 1);
        return 2 + 24 + 1 + (4 * ((cipher + 2) / 3)) + 1 + 44;
    }
}
