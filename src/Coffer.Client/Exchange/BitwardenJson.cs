using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using static Coffer.Client.Exchange.JsonFields;

namespace Coffer.Client.Exchange;

/// <summary>
/// Bitwarden's JSON export, plain (<c>{"encrypted":false,"folders":[{id,name}],"items":[…]}</c>) and password-protected
/// (<c>{"encrypted":true,"passwordProtected":true,"salt","kdfType","kdfIterations","kdfMemory","kdfParallelism",
/// "encKeyValidation_DO_NOT_EDIT","data"}</c>). The file key is the KDF of the file password with the UTF-8 bytes of
/// the base64 salt, stretched with HKDF like a master key (Bitwarden's IndividualVaultExportService and
/// BitwardenPasswordProtectedImporter); <c>data</c> is the plain export as a type 2 EncString under it, and the
/// validation value is a random GUID under the same key, so a wrong password is told apart from a damaged file.
/// </summary>
public static class BitwardenJson
{
    // Unescaped non-ASCII text, as Bitwarden's exports have it; the file is never embedded in HTML.
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static IEnumerable<ImportRow> Read(Stream stream, Func<string>? filePassword)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new ImportFileException($"The file is not JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ImportFileException("The file is not a Bitwarden JSON export (no top-level object).");
            }

            if (Bool(root, "encrypted"))
            {
                if (!Bool(root, "passwordProtected"))
                {
                    throw new ImportFileException("This export is encrypted with its account's key; export it again as plain JSON or as a password-protected file.");
                }

                var password = filePassword?.Invoke() ?? throw new ImportFileException("This export is password-protected; give its file password.");
                using var inner = JsonDocument.Parse(Open(root, password));
                foreach (var row in ReadPlain(inner.RootElement))
                {
                    yield return row;
                }

                yield break;
            }

            foreach (var row in ReadPlain(root))
            {
                yield return row;
            }
        }
    }

    /// <summary>Writes a plain export: everything in <paramref name="items"/> and <paramref name="folders"/>, in clear text.</summary>
    public static void Write(Stream output, IReadOnlyList<VaultItem> items, IReadOnlyList<FolderView> folders)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(folders);
        using var json = new Utf8JsonWriter(output, Indented);
        json.WriteStartObject();
        json.WriteBoolean("encrypted", false);
        json.WriteStartArray("folders");
        foreach (var folder in folders)
        {
            json.WriteStartObject();
            json.WriteString("id", folder.Id);
            json.WriteString("name", folder.Name);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("items");
        foreach (var item in items)
        {
            WriteItem(json, item);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// Writes a password-protected export of <paramref name="items"/> and <paramref name="folders"/> under a key
    /// derived from <paramref name="password"/> with <paramref name="kdf"/> and a fresh 16-byte salt.
    /// </summary>
    public static void WriteProtected(Stream output, IReadOnlyList<VaultItem> items, IReadOnlyList<FolderView> folders, string password, KdfConfig kdf)
    {
        ArgumentNullException.ThrowIfNull(kdf);
        var salt = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        using var plain = new MemoryStream();
        Write(plain, items, folders);
        using var key = FileKey(password, salt, kdf);
        var data = EncString.Encrypt(plain.GetBuffer().AsSpan(0, (int)plain.Length), key).ToString();
        CryptographicOperations.ZeroMemory(plain.GetBuffer());

        using var json = new Utf8JsonWriter(output, Indented);
        json.WriteStartObject();
        json.WriteBoolean("encrypted", true);
        json.WriteBoolean("passwordProtected", true);
        json.WriteString("salt", salt);
        json.WriteNumber("kdfType", (int)kdf.Type);
        json.WriteNumber("kdfIterations", kdf.Iterations);
        WriteNumberOrNull(json, "kdfMemory", kdf.Type == KdfType.Argon2id ? kdf.Memory : null);
        WriteNumberOrNull(json, "kdfParallelism", kdf.Type == KdfType.Argon2id ? kdf.Parallelism : null);
        json.WriteString("encKeyValidation_DO_NOT_EDIT", EncString.EncryptString(Guid.NewGuid().ToString(), key).ToString());
        json.WriteString("data", data);
        json.WriteEndObject();
    }

    private static string Open(JsonElement root, string password)
    {
        var kdf = new KdfConfig(
            (KdfType)(Int(root, "kdfType") ?? 0),
            Int(root, "kdfIterations") ?? 600_000,
            Int(root, "kdfMemory"),
            Int(root, "kdfParallelism"));
        using var key = FileKey(password, Text(root, "salt") ?? "", kdf);
        try
        {
            EncString.Parse(Text(root, "encKeyValidation_DO_NOT_EDIT") ?? "").Decrypt(key);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            throw new ImportFileException("Wrong file password for this export (or its key check was edited).", e);
        }

        try
        {
            return EncString.Parse(Text(root, "data") ?? "").DecryptString(key);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            throw new ImportFileException("The export's data is damaged: it does not decrypt under the file password.", e);
        }
    }

    private static SymmetricKey FileKey(string password, string salt, KdfConfig kdf)
    {
        byte[] derived;
        try
        {
            derived = MasterKeys.DeriveFromSalt(password, Encoding.UTF8.GetBytes(salt), kdf);
        }
        catch (ArgumentException e)
        {
            throw new ImportFileException($"The export's KDF settings are not accepted: {e.Message}", e);
        }

        try
        {
            return MasterKeys.Stretch(derived);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    private static IEnumerable<ImportRow> ReadPlain(JsonElement root)
    {
        var folders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("folders", out var folderList) && folderList.ValueKind == JsonValueKind.Array)
        {
            foreach (var folder in folderList.EnumerateArray())
            {
                if (Text(folder, "id") is { } id && Text(folder, "name") is { } name)
                {
                    folders[id] = name;
                }
            }
        }

        if (!root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        var index = 0;
        foreach (var source in items.EnumerateArray())
        {
            var where = $"item {++index}";
            if (source.ValueKind != JsonValueKind.Object)
            {
                yield return ImportRow.Bad(where, "not a JSON object.");
                continue;
            }

            var type = (CipherType)(Int(source, "type") ?? 0);
            if (type is not (CipherType.Login or CipherType.SecureNote or CipherType.Card or CipherType.Identity))
            {
                yield return ImportRow.Bad(where, $"item type {(int)type} is not one this client imports (login, note, card, identity).");
                continue;
            }

            var item = new VaultItem
            {
                Type = type,
                Name = ImportItems.Value(Text(source, "name")) ?? ImportItems.NoName,
                Notes = ImportItems.Value(Text(source, "notes")),
                Favorite = Bool(source, "favorite"),
                Reprompt = Int(source, "reprompt") == 1 ? 1 : 0,
                Fields = [.. Array(source, "fields").Select(f => new FieldView(Int(f, "type") ?? 0, Text(f, "name"), Text(f, "value"), Int(f, "linkedId")))],
                PasswordHistory = [.. Array(source, "passwordHistory")
                    .Where(p => Text(p, "password") is not null && Date(p, "lastUsedDate") is not null)
                    .Select(p => new PasswordHistoryView(Text(p, "password")!, Date(p, "lastUsedDate")!.Value))],
                Login = type == CipherType.Login && source.TryGetProperty("login", out var login) && login.ValueKind == JsonValueKind.Object
                    ? new LoginView
                    {
                        Username = ImportItems.Value(Text(login, "username")),
                        Password = ImportItems.Value(Text(login, "password")),
                        Totp = ImportItems.Value(Text(login, "totp")),
                        Uris = [.. Array(login, "uris").Select(u => Text(u, "uri")).OfType<string>()],
                    }
                    : type == CipherType.Login ? new LoginView() : null,
                Card = type == CipherType.Card && source.TryGetProperty("card", out var card) && card.ValueKind == JsonValueKind.Object
                    ? new CardView
                    {
                        CardholderName = Text(card, "cardholderName"),
                        Brand = Text(card, "brand"),
                        Number = Text(card, "number"),
                        ExpMonth = Text(card, "expMonth"),
                        ExpYear = Text(card, "expYear"),
                        Code = Text(card, "code"),
                    }
                    : null,
                Identity = type == CipherType.Identity && source.TryGetProperty("identity", out var identity) && identity.ValueKind == JsonValueKind.Object
                    ? JsonSerializer.Deserialize<IdentityView>(identity.GetRawText(), CofferJson.Options)
                    : null,
            };
            var folder = Text(source, "folderId") is { } folderId ? folders.GetValueOrDefault(folderId) : null;
            yield return ImportRow.Ok(where, item, folder);
        }
    }

    private static void WriteItem(Utf8JsonWriter json, VaultItem item)
    {
        json.WriteStartObject();
        json.WriteStartArray("passwordHistory");
        foreach (var entry in item.PasswordHistory)
        {
            json.WriteStartObject();
            json.WriteString("lastUsedDate", entry.LastUsedDate);
            json.WriteString("password", entry.Password);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteDate(json, "revisionDate", item.RevisionDate);
        WriteDate(json, "creationDate", item.CreationDate);
        WriteDate(json, "deletedDate", item.DeletedDate);
        WriteStringOrNull(json, "id", item.Id?.ToString());
        json.WriteNull("organizationId");
        WriteStringOrNull(json, "folderId", item.FolderId?.ToString());
        json.WriteNumber("type", (int)item.Type);
        json.WriteNumber("reprompt", item.Reprompt);
        json.WriteString("name", item.Name);
        WriteStringOrNull(json, "notes", item.Notes);
        json.WriteBoolean("favorite", item.Favorite);
        json.WriteStartArray("fields");
        foreach (var field in item.Fields)
        {
            json.WriteStartObject();
            WriteStringOrNull(json, "name", field.Name);
            WriteStringOrNull(json, "value", field.Value);
            json.WriteNumber("type", field.Type);
            WriteNumberOrNull(json, "linkedId", field.LinkedId);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        switch (item.Type)
        {
            case CipherType.Login:
                var login = item.Login ?? new LoginView();
                json.WriteStartObject("login");
                json.WriteStartArray("fido2Credentials");
                json.WriteEndArray();
                json.WriteStartArray("uris");
                foreach (var uri in login.Uris)
                {
                    json.WriteStartObject();
                    json.WriteNull("match");
                    json.WriteString("uri", uri);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                WriteStringOrNull(json, "username", login.Username);
                WriteStringOrNull(json, "password", login.Password);
                WriteStringOrNull(json, "totp", login.Totp);
                json.WriteEndObject();
                break;
            case CipherType.SecureNote:
                json.WriteStartObject("secureNote");
                json.WriteNumber("type", 0);
                json.WriteEndObject();
                break;
            case CipherType.Card:
                json.WritePropertyName("card");
                JsonSerializer.Serialize(json, item.Card ?? new CardView(), CofferJson.Options);
                break;
            case CipherType.Identity:
                json.WritePropertyName("identity");
                JsonSerializer.Serialize(json, item.Identity ?? new IdentityView(), CofferJson.Options);
                break;
            default:
                break;
        }

        json.WriteNull("collectionIds");
        json.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static DateTime? Date(JsonElement e, string name) =>
        DateTime.TryParse(Text(e, name), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    private static void WriteDate(Utf8JsonWriter json, string name, DateTime? value) =>
        WriteStringOrNull(json, name, value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}
