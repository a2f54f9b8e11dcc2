using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Vault;

/// <summary>
/// Decrypts sync data into <see cref="VaultItem"/>s and encrypts them back into <see cref="CipherRequestModel"/>s
/// the way the Bitwarden clients do (protocol §2.2, §4.10): every user-visible string is a type 2 EncString
/// under the user key, or under the item's own key when the item carries one; numbers stay numbers.
/// </summary>
public static class VaultCrypto
{
    public static FolderView DecryptFolder(FolderResponseModel folder, SymmetricKey userKey)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return new FolderView(folder.Id, Decrypt(folder.Name, userKey) ?? "", folder.RevisionDate);
    }

    public static string EncryptName(string name, SymmetricKey userKey) => EncString.EncryptString(name, userKey).ToString();

    /// <exception cref="CryptographicException">A value was not encrypted under this user key.</exception>
    /// <summary>An item decrypted with the key it is under: the user key, or its organization's key.</summary>
    /// <exception cref="KeyNotFoundException">An organization item of an organization the keys do not include.</exception>
    public static VaultItem Decrypt(CipherDetailsResponseModel cipher, VaultKeys keys)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        ArgumentNullException.ThrowIfNull(keys);
        return Decrypt(cipher, keys.For(cipher.OrganizationId));
    }

    /// <summary>A collection or other name encrypted under <paramref name="key"/> (EncString type 2); empty when absent.</summary>
    public static string DecryptName(string? encrypted, SymmetricKey key) => Decrypt(encrypted, key) ?? "";

    /// <summary>
    /// The request that moves a personal item into an organization (<c>PUT /api/ciphers/{id}/share</c>,
    /// bitwarden-organizations.md §2.6): every field re-encrypted under the org key, or under a new item key
    /// wrapped by the org key when the item had one. No folder: folders are personal.
    /// </summary>
    /// <exception cref="InvalidOperationException">The item has content this client cannot re-encrypt (passkeys, attachments, types it does not model).</exception>
    public static CipherRequestModel EncryptForShare(VaultItem item, CipherDetailsResponseModel original, SymmetricKey orgKey, Guid organizationId)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(original);
        if (item.Type is not (CipherType.Login or CipherType.SecureNote or CipherType.Card or CipherType.Identity))
        {
            throw new InvalidOperationException($"Items of type {(int)item.Type} cannot be shared by this client yet.");
        }

        if (original.Login?.Fido2Credentials is { Count: > 0 } || original.Attachments is { Count: > 0 })
        {
            throw new InvalidOperationException("Items with passkeys or attachments cannot be shared by this client yet: those would stay under the personal key.");
        }

        // Always a new item key, also for a legacy item (BW05, BW10): the organization's copy is never keyless.
        using var newItemKey = SymmetricKey.Generate();
        var request = EncryptWith(item with { FolderId = null }, newItemKey, Wrap(newItemKey, orgKey), original with { Key = null, Login = original.Login is { } l ? l with { Fido2Credentials = null } : null });
        request.OrganizationId = organizationId.ToString();
        return request;
    }

    public static VaultItem Decrypt(CipherDetailsResponseModel cipher, SymmetricKey userKey)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        using var itemKey = ItemKey(cipher.Key, userKey);
        var key = itemKey ?? userKey;
        var uris = DecryptUris(cipher.Login?.Uris, key, hasItemKey: itemKey is not null);
        return new VaultItem
        {
            Id = cipher.Id,
            Type = cipher.Type,
            OrganizationId = string.IsNullOrEmpty(cipher.OrganizationId) ? null : Guid.Parse(cipher.OrganizationId),
            CollectionIds = cipher.CollectionIds,
            Edit = cipher.Edit,
            ViewPassword = cipher.ViewPassword,
            Name = Decrypt(cipher.Name, key) ?? "",
            Notes = Decrypt(cipher.Notes, key),
            FolderId = cipher.FolderId,
            Favorite = cipher.Favorite,
            Reprompt = cipher.Reprompt,
            Login = cipher.Login is { } login ? new LoginView
            {
                Username = Decrypt(login.Username, key),
                Password = Decrypt(login.Password, key),
                PasswordRevisionDate = login.PasswordRevisionDate,
                Totp = Decrypt(login.Totp, key),
                Uris = uris.Where(u => u.Valid).Select(u => u.Uri).ToList(),
                Matches = DecryptMatches(uris.Where(u => u.Valid).ToList()),
            } : null,
            RejectedUris = uris.Count(u => !u.Valid),
            Card = cipher.Card is { } card ? new CardView
            {
                CardholderName = Decrypt(card.CardholderName, key),
                Brand = Decrypt(card.Brand, key),
                Number = Decrypt(card.Number, key),
                ExpMonth = Decrypt(card.ExpMonth, key),
                ExpYear = Decrypt(card.ExpYear, key),
                Code = Decrypt(card.Code, key),
            } : null,
            Identity = cipher.Identity is { } identity ? DecryptIdentity(identity, key) : null,
            Fields = cipher.Fields?.Select(f => new FieldView(f.Type, Decrypt(f.Name, key), Decrypt(f.Value, key), f.LinkedId)).ToList() ?? [],
            PasswordHistory = cipher.PasswordHistory?
                .Select(p => new PasswordHistoryView(Decrypt(p.Password, key) ?? "", p.LastUsedDate)).ToList() ?? [],
            CreationDate = cipher.CreationDate,
            RevisionDate = cipher.RevisionDate,
            DeletedDate = cipher.DeletedDate,
        };
    }

    /// <summary>
    /// Encrypts an item for <c>POST /api/ciphers</c>, or for <c>PUT</c> when <paramref name="original"/> is the
    /// server's copy being edited. From the original it keeps what the view does not model (passkeys,
    /// per-item key, the type object of item types this client cannot edit, unknown properties), and it
    /// sends <c>lastKnownRevisionDate</c> so the server can refuse a stale write.
    /// </summary>
    /// <remarks>
    /// The request always carries a per-item <c>key</c> (malicious-server.md BW05, BW10), whatever <c>/api/config</c>
    /// reports: a new item gets a fresh 64-byte key wrapped under <paramref name="userKey"/> (the user key, or the
    /// organization key for an organization item); an item that has one keeps it; a legacy item (no <c>key</c>) is
    /// re-keyed: a fresh key, every field re-encrypted under it, including the encrypted content this client does not
    /// model (passkeys, SSH keys, newer types, unknown properties) and its attachments' keys and names (sent as
    /// <c>attachments2</c>). The result is the normal cipher-key format the official clients read.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A legacy item cannot be re-keyed: an attachment without its own key (its file is under the user key itself).</exception>
    /// <exception cref="CryptographicException">The original's content does not decrypt under <paramref name="userKey"/>.</exception>
    public static CipherRequestModel Encrypt(VaultItem item, SymmetricKey userKey, CipherDetailsResponseModel? original = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(userKey);
        CipherRequestModel request;
        using var itemKey = ItemKey(original?.Key, userKey);
        if (itemKey is not null)
        {
            request = EncryptWith(item, itemKey, original!.Key, original);
        }
        else
        {
            using var fresh = SymmetricKey.Generate();
            var carried = original is null ? null : Rekey(original, userKey, fresh);
            request = EncryptWith(item, fresh, Wrap(fresh, userKey), carried);
            request.Attachments2 = carried is null ? null : AttachmentKeys(carried);
        }

        request.OrganizationId = original?.OrganizationId;
        return request;
    }

    /// <summary>
    /// <paramref name="original"/> with every type 2 EncString in it decrypted under <paramref name="oldKey"/> and
    /// encrypted again under <paramref name="newKey"/> (fresh IVs), so content carried over unmodelled stays readable
    /// under the new item key.
    /// </summary>
    private static CipherDetailsResponseModel Rekey(CipherDetailsResponseModel original, SymmetricKey oldKey, SymmetricKey newKey)
    {
        var node = JsonSerializer.SerializeToNode(original, CofferJson.Options)!;
        KeyRotation.ReencryptAll(node, oldKey, newKey);
        return node.Deserialize<CipherDetailsResponseModel>(CofferJson.Options)!;
    }

    /// <summary>The <c>attachments2</c> of a re-keyed item: each attachment's key and file name, already re-encrypted under the new item key.</summary>
    private static Dictionary<string, CipherAttachmentModel>? AttachmentKeys(CipherDetailsResponseModel rekeyed)
    {
        if (rekeyed.Attachments is not { Count: > 0 } attachments)
        {
            return null;
        }

        var result = new Dictionary<string, CipherAttachmentModel>(StringComparer.Ordinal);
        foreach (var attachment in attachments)
        {
            var json = JsonSerializer.SerializeToNode(attachment, CofferJson.Options);
            var id = (string?)json?["id"] ?? throw new InvalidOperationException("An attachment of this item has no id.");
            var key = (string?)json?["key"];
            if (string.IsNullOrEmpty(key))
            {
                throw new InvalidOperationException("This item has an attachment from before attachment keys, encrypted under your user key itself; download it, delete it and attach it again, then edit the item.");
            }

            result[id] = new CipherAttachmentModel { FileName = (string?)json?["fileName"], Key = key };
        }

        return result;
    }

    private static string Wrap(SymmetricKey itemKey, SymmetricKey outer)
    {
        var bytes = itemKey.ToArray();
        try
        {
            return EncString.Encrypt(bytes, outer).ToString();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    // key: what the fields are encrypted under (the item key if there is one); wrappedItemKey: the request's "key".
    private static CipherRequestModel EncryptWith(VaultItem item, SymmetricKey key, string? wrappedItemKey, CipherDetailsResponseModel? original)
    {
        var request = new CipherRequestModel
        {
            Type = item.Type,
            FolderId = item.FolderId?.ToString(),
            Favorite = item.Favorite,
            Reprompt = item.Reprompt,
            Key = wrappedItemKey,
            Name = Encrypt(item.Name, key),
            Notes = Encrypt(item.Notes, key),
            LastKnownRevisionDate = original?.RevisionDate,
            Fields = item.Fields.Count == 0 ? null
                : [.. item.Fields.Select(f => new CipherFieldModel { Type = f.Type, Name = Encrypt(f.Name, key), Value = Encrypt(f.Value, key), LinkedId = f.LinkedId })],
            PasswordHistory = item.PasswordHistory.Count == 0 ? null
                : [.. item.PasswordHistory.Select(p => new CipherPasswordHistoryModel { Password = Encrypt(p.Password, key), LastUsedDate = p.LastUsedDate })],
        };

        switch (item.Type)
        {
            case CipherType.Login:
                request.Login = EncryptLogin(item.Login ?? new LoginView(), key, original?.Login);
                break;
            case CipherType.SecureNote:
                request.SecureNote = original?.SecureNote ?? new CipherSecureNoteModel { Type = 0 };
                break;
            case CipherType.Card:
                request.Card = EncryptCard(item.Card ?? new CardView(), key, original?.Card);
                break;
            case CipherType.Identity:
                request.Identity = EncryptIdentity(item.Identity ?? new IdentityView(), key, original?.Identity);
                break;
            default:
                // Types this client does not model (SSH keys, newer types) keep their encrypted content as it was.
                request.SshKey = original?.SshKey;
                request.BankAccount = original?.BankAccount;
                request.DriversLicense = original?.DriversLicense;
                request.Passport = original?.Passport;
                break;
        }

        return request;
    }

    /// <summary>The rules of the URIs that have one; the first wins when a URI appears twice.</summary>
    private static Dictionary<string, UriMatch> DecryptMatches(List<(string Uri, int? Match, bool Valid)> uris)
    {
        var matches = new Dictionary<string, UriMatch>(StringComparer.Ordinal);
        foreach (var (uri, match, _) in uris)
        {
            if (match is { } m)
            {
                matches.TryAdd(uri, (UriMatch)m);
            }
        }

        return matches;
    }

    /// <summary>
    /// Each URI decrypted and checked against its <c>uriChecksum</c> (BW06): valid when the checksum decrypts to
    /// Base64(SHA-256(uri)). An item with its own key must carry a checksum for every URI, as the official clients require
    /// (libs/common/src/vault/models/domain/login.ts: validation is skipped only for items without a key); a legacy item
    /// may lack one, but a checksum that is present must match. An invalid URI is left out of the item, never used.
    /// </summary>
    private static List<(string Uri, int? Match, bool Valid)> DecryptUris(List<CipherLoginUriModel>? uris, SymmetricKey key, bool hasItemKey)
    {
        var result = new List<(string, int?, bool)>();
        foreach (var model in uris ?? [])
        {
            if (Decrypt(model.Uri, key) is not { } uri)
            {
                continue;
            }

            var checksum = Decrypt(model.UriChecksum, key);
            var valid = checksum is null
                ? !hasItemKey
                : CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(checksum), Encoding.UTF8.GetBytes(UriChecksum(uri)));
            result.Add((uri, model.Match, valid));
        }

        return result;
    }

    private static CipherLoginModel EncryptLogin(LoginView login, SymmetricKey key, CipherLoginModel? original)
    {
        // URI match rules are per URI and come from the view (Decrypt fills them in), so an edit that removes a
        // URI drops its rule, and one that resets a rule to the default sends null.
        var matches = login.Matches;

        return new CipherLoginModel
        {
            Username = Encrypt(login.Username, key),
            Password = Encrypt(login.Password, key),
            PasswordRevisionDate = login.PasswordRevisionDate,
            Totp = Encrypt(login.Totp, key),
            AutofillOnPageLoad = original?.AutofillOnPageLoad,
            Fido2Credentials = original?.Fido2Credentials,
            Extra = original?.Extra,
            Uris = login.Uris.Count == 0 ? null : [.. login.Uris.Select(u => new CipherLoginUriModel
            {
                Uri = Encrypt(u, key),
                UriChecksum = Encrypt(UriChecksum(u), key),
                Match = matches.TryGetValue(u, out var match) ? (int)match : null,
            })],
        };
    }

    private static CipherCardModel EncryptCard(CardView card, SymmetricKey key, CipherCardModel? original) => new()
    {
        CardholderName = Encrypt(card.CardholderName, key),
        Brand = Encrypt(card.Brand, key),
        Number = Encrypt(card.Number, key),
        ExpMonth = Encrypt(card.ExpMonth, key),
        ExpYear = Encrypt(card.ExpYear, key),
        Code = Encrypt(card.Code, key),
        Extra = original?.Extra,
    };

    private static IdentityView DecryptIdentity(CipherIdentityModel i, SymmetricKey key) => new()
    {
        Title = Decrypt(i.Title, key),
        FirstName = Decrypt(i.FirstName, key),
        MiddleName = Decrypt(i.MiddleName, key),
        LastName = Decrypt(i.LastName, key),
        Address1 = Decrypt(i.Address1, key),
        Address2 = Decrypt(i.Address2, key),
        Address3 = Decrypt(i.Address3, key),
        City = Decrypt(i.City, key),
        State = Decrypt(i.State, key),
        PostalCode = Decrypt(i.PostalCode, key),
        Country = Decrypt(i.Country, key),
        Company = Decrypt(i.Company, key),
        Email = Decrypt(i.Email, key),
        Phone = Decrypt(i.Phone, key),
        Ssn = Decrypt(i.Ssn, key),
        Username = Decrypt(i.Username, key),
        PassportNumber = Decrypt(i.PassportNumber, key),
        LicenseNumber = Decrypt(i.LicenseNumber, key),
    };

    private static CipherIdentityModel EncryptIdentity(IdentityView i, SymmetricKey key, CipherIdentityModel? original) => new()
    {
        Title = Encrypt(i.Title, key),
        FirstName = Encrypt(i.FirstName, key),
        MiddleName = Encrypt(i.MiddleName, key),
        LastName = Encrypt(i.LastName, key),
        Address1 = Encrypt(i.Address1, key),
        Address2 = Encrypt(i.Address2, key),
        Address3 = Encrypt(i.Address3, key),
        City = Encrypt(i.City, key),
        State = Encrypt(i.State, key),
        PostalCode = Encrypt(i.PostalCode, key),
        Country = Encrypt(i.Country, key),
        Company = Encrypt(i.Company, key),
        Email = Encrypt(i.Email, key),
        Phone = Encrypt(i.Phone, key),
        Ssn = Encrypt(i.Ssn, key),
        Username = Encrypt(i.Username, key),
        PassportNumber = Encrypt(i.PassportNumber, key),
        LicenseNumber = Encrypt(i.LicenseNumber, key),
        Extra = original?.Extra,
    };

    /// <summary>
    /// Base64(SHA-256(uri)), encrypted like the URI itself: the clients store it to detect a URI that was swapped
    /// without the key (libs/common/src/vault/models/domain/login-uri.ts).
    /// </summary>
    public static string UriChecksum(string uri) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(uri)));

    /// <summary>The item's own key when it has one (cipher-key encryption): 64 bytes wrapped under the user key.</summary>
    internal static SymmetricKey? ItemKey(string? wrapped, SymmetricKey userKey)
    {
        if (string.IsNullOrEmpty(wrapped))
        {
            return null;
        }

        var bytes = EncString.Parse(wrapped).Decrypt(userKey);
        try
        {
            return new SymmetricKey(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static string? Decrypt(string? value, SymmetricKey key) =>
        string.IsNullOrEmpty(value) ? null : EncString.Parse(value).DecryptString(key);

    // Empty and absent are the same to the user; the clients send null rather than an encrypted empty string.
    private static string? Encrypt(string? value, SymmetricKey key) =>
        string.IsNullOrEmpty(value) ? null : EncString.EncryptString(value, key).ToString();
}
