using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Errors;

namespace Coffer.Server.Ciphers;

/// <summary>
/// Checks a cipher request before anything is stored (protocol §4.10): the type and its object agree, every
/// known encrypted field is a well-formed EncString within upstream's length limits, numbers are in range,
/// and the request was encrypted for the caller. Also strips the client-side <c>response</c> artefacts.
/// </summary>
public static class CipherValidation
{
    // Upstream's [EncryptedStringLength] limits, in characters of the EncString.
    private const int MaxName = 1000;
    private const int MaxNotes = 10_000;
    private const int MaxField = 5000;
    private const int MaxUri = 10_000;
    private const int MaxListItems = 500;

    /// <summary>Returns null when valid, else the message of a 400.</summary>
    public static string? Validate(CipherRequestModel cipher, Guid userId)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        if (!Enum.IsDefined(cipher.Type))
        {
            return $"Cipher type {(int)cipher.Type} is not supported.";
        }

        if (cipher.OrganizationId is { Length: > 0 } organizationId && !Guid.TryParse(organizationId, out _))
        {
            return "organizationId is not a valid id.";
        }

        if (cipher.EncryptedFor is { Length: > 0 } encryptedFor && (!Guid.TryParse(encryptedFor, out var target) || target != userId))
        {
            return "Cipher was not encrypted for the current user.";
        }

        if (cipher.Reprompt is not (0 or 1))
        {
            return "reprompt must be 0 or 1.";
        }

        if (cipher.Name is null)
        {
            return "The item name is required.";
        }

        if (TypeObjectError(cipher) is { } typeError)
        {
            return typeError;
        }

        if ((cipher.Fields?.Count ?? 0) > MaxListItems || (cipher.PasswordHistory?.Count ?? 0) > MaxListItems || (cipher.Login?.Uris?.Count ?? 0) > MaxListItems)
        {
            return $"An item may hold at most {MaxListItems} fields, URIs or password history entries.";
        }

        if (cipher.Fields?.FirstOrDefault(f => f.Type is < 0 or > 3) is not null)
        {
            return "fields[].type must be 0 (text), 1 (hidden), 2 (boolean) or 3 (linked).";
        }

        if (cipher.Login?.Uris?.FirstOrDefault(u => u.Match is < 0 or > 5) is not null)
        {
            return "login.uris[].match must be null or 0–5.";
        }

        foreach (var (path, value, max) in EncryptedFields(cipher))
        {
            if (value is null)
            {
                continue;
            }

            if (value.Length > max)
            {
                return $"{path} exceeds {max} characters.";
            }

            if (!WireValidation.IsEncString(value))
            {
                return $"{path} is not a valid EncString.";
            }
        }

        StripResponseArtefacts(cipher);
        return null;
    }

    private static string? TypeObjectError(CipherRequestModel cipher)
    {
        var present = new (CipherType Type, bool Present)[]
        {
            (CipherType.Login, cipher.Login is not null), (CipherType.Card, cipher.Card is not null),
            (CipherType.Identity, cipher.Identity is not null), (CipherType.SshKey, cipher.SshKey is not null),
            (CipherType.BankAccount, cipher.BankAccount is not null), (CipherType.DriversLicense, cipher.DriversLicense is not null),
            (CipherType.Passport, cipher.Passport is not null),
        };
        var mismatch = present.FirstOrDefault(p => p.Present && p.Type != cipher.Type);
        if (mismatch.Present)
        {
            return $"A cipher of type {(int)cipher.Type} cannot carry a {mismatch.Type} object.";
        }

        switch (cipher.Type)
        {
            case CipherType.SecureNote:
                cipher.SecureNote ??= new CipherSecureNoteModel();
                return cipher.SecureNote.Type == 0 ? null : "secureNote.type must be 0.";
            case CipherType.Login when cipher.Login is null:
            case CipherType.Card when cipher.Card is null:
            case CipherType.Identity when cipher.Identity is null:
            case CipherType.SshKey when cipher.SshKey is null:
                return $"A cipher of type {(int)cipher.Type} needs its {cipher.Type} object.";
            default:
                return cipher.SecureNote is not null && cipher.Type != CipherType.SecureNote ? "Only secure notes carry a secureNote object." : null;
        }
    }

    private static IEnumerable<(string Path, string? Value, int Max)> EncryptedFields(CipherRequestModel c)
    {
        yield return ("name", c.Name, MaxName);
        yield return ("notes", c.Notes, MaxNotes);
        yield return ("key", c.Key, MaxField);
        if (c.Login is { } login)
        {
            yield return ("login.username", login.Username, MaxField);
            yield return ("login.password", login.Password, MaxField);
            yield return ("login.totp", login.Totp, MaxField);
            foreach (var uri in login.Uris ?? [])
            {
                yield return ("login.uris[].uri", uri.Uri, MaxUri);
                yield return ("login.uris[].uriChecksum", uri.UriChecksum, MaxField);
            }
        }

        if (c.Card is { } card)
        {
            foreach (var (name, value) in new[] { ("cardholderName", card.CardholderName), ("brand", card.Brand), ("number", card.Number), ("expMonth", card.ExpMonth), ("expYear", card.ExpYear), ("code", card.Code) })
            {
                yield return ("card." + name, value, MaxField);
            }
        }

        if (c.Identity is { } id)
        {
            var values = new[]
            {
                id.Title, id.FirstName, id.MiddleName, id.LastName, id.Address1, id.Address2, id.Address3, id.City, id.State,
                id.PostalCode, id.Country, id.Company, id.Email, id.Phone, id.Ssn, id.Username, id.PassportNumber, id.LicenseNumber,
            };
            foreach (var value in values)
            {
                yield return ("identity field", value, MaxField);
            }
        }

        if (c.SshKey is { } ssh)
        {
            yield return ("sshKey.privateKey", ssh.PrivateKey, MaxNotes);
            yield return ("sshKey.publicKey", ssh.PublicKey, MaxNotes);
            yield return ("sshKey.keyFingerprint", ssh.KeyFingerprint, MaxField);
        }

        foreach (var field in c.Fields ?? [])
        {
            yield return ("fields[].name", field.Name, MaxField);
            yield return ("fields[].value", field.Value, MaxNotes);
        }

        foreach (var entry in c.PasswordHistory ?? [])
        {
            yield return ("passwordHistory[].password", entry.Password, MaxField);
        }
    }

    // "response" keys are client artefacts that Vaultwarden strips too (protocol §4.10).
    private static void StripResponseArtefacts(CipherRequestModel cipher)
    {
        var models = new List<ExtensibleModel?> { cipher.Login, cipher.SecureNote, cipher.Card, cipher.Identity, cipher.SshKey };
        models.AddRange(cipher.Login?.Uris ?? []);
        models.AddRange(cipher.Fields ?? []);
        models.AddRange(cipher.PasswordHistory ?? []);
        foreach (var model in models)
        {
            if (model?.Extra is { } extra)
            {
                extra.Remove("response");
                if (extra.Count == 0)
                {
                    model.Extra = null;
                }
            }
        }

        foreach (var node in new[] { cipher.BankAccount, cipher.DriversLicense, cipher.Passport })
        {
            node?.Remove("response");
        }
    }

    /// <summary>The stored form of the encrypted part (see <see cref="Cipher.Data"/>).</summary>
    public static byte[] Serialize(CipherDataModel data) => JsonSerializer.SerializeToUtf8Bytes(data, CofferJson.Options);
}
