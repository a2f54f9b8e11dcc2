using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Client.Crypto;
using Coffer.Client.Files;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Vault;

/// <summary>An emergency access grant to re-key in a rotation: its id, type and wait (sent back unchanged) and the grantee's checked public key (Base64 SPKI).</summary>
public sealed record EmergencyAccessRotation(Guid Id, int Type, int WaitTimeDays, string PublicKey);

/// <summary>
/// Builds a user key rotation (account doc §3.3) from a fresh sync: a new random user key, the same RSA private key
/// re-wrapped under it, every personal cipher and folder re-encrypted, the attachment keys and names of items without
/// their own key re-wrapped (<c>attachments2</c>, bitwarden-sharing-features.md §2.9; the files keep their own keys),
/// every Send's seed re-wrapped (its content is under the Send key, which does not change), every PRF passkey's key set
/// re-wrapped (bitwarden-sharing-features.md §5.6), and the new key wrapped by the (unchanged) master key. The server
/// swaps it all in one transaction.
/// </summary>
public static class KeyRotation
{
    /// <summary>Builds the request; the new user key's id is <see cref="RotateUserAccountKeysAndDataRequestModel.NewUserKeyId"/>.</summary>
    /// <exception cref="CryptographicException">
    /// Wrong password (<see cref="EncStringCrypto.NotDecryptable"/>); an item, attachment or Send not encrypted under the
    /// current user key (the same message); an attachment from before per-attachment keys on an item without its own key,
    /// whose file is under the user key itself and would become unreadable (it has to be downloaded and attached again
    /// first); or a passkey whose <c>encryptedPublicKey</c> does not open under the current user key or is not an RSA SPKI
    /// (the message names the passkey). Nothing is sent then.
    /// </exception>
    /// <exception cref="FormatException">A passkey's id is not a GUID or its <c>encryptedPublicKey</c> not an EncString.</exception>
    /// <param name="sync">A fresh sync of the account.</param>
    /// <param name="password">The master password (unchanged by a rotation).</param>
    /// <param name="emergencyAccess">
    /// Every grant with a key (status Confirmed or later), with the grantee's public key as the caller checked it: the
    /// new user key is wrapped for each (<c>emergencyAccessUnlockData</c>, bitwarden-sharing-features.md §4.4), or the
    /// server refuses the rotation.
    /// </param>
    /// <param name="passkeys">
    /// Every PRF passkey of <c>key-rotation-data</c> (<see cref="ReadPasskeyKeyData"/>): for each, the public key is opened
    /// from <c>encryptedPublicKey</c> under the current user key (type 2, MAC checked), the new user key (64 bytes) is
    /// wrapped to it as a type 4 RSA-OAEP-SHA1 EncString (<c>encryptedUserKey</c>) and the public key is encrypted again
    /// under the new user key (<c>encryptedPublicKey</c>), in <c>passkeyUnlockData</c> (account doc §3.3); the server
    /// refuses a rotation that leaves one out. The private key stays under the passkey's PRF key.
    /// </param>
    public static RotateUserAccountKeysAndDataRequestModel Build(
        SyncResponseModel sync, string password, IReadOnlyList<EmergencyAccessRotation>? emergencyAccess = null, IReadOnlyList<PasskeyKeyDataModel>? passkeys = null)
    {
        ArgumentNullException.ThrowIfNull(sync);
        var unlock = sync.UserDecryption.MasterPasswordUnlock;
        var kdf = unlock.Kdf.ToConfig();
        using var oldKey = UserKeys.Unlock(unlock.MasterKeyEncryptedUserKey, password, unlock.Salt, kdf);
        using var newKey = SymmetricKey.Generate();
        var (loginHash, wrappedUserKey) = MasterPasswordChanges.Wrap(newKey, password, unlock.Salt, kdf);
        var privateKey = Rewrap(sync.Profile.PrivateKey, oldKey, newKey);
        var publicKey = sync.Profile.AccountKeys.PublicKeyEncryptionKeyPair.PublicKey;
        return new RotateUserAccountKeysAndDataRequestModel
        {
            // The password does not change here, so the old and the new login hash are the same.
            OldMasterKeyAuthenticationHash = loginHash,
            NewUserKeyId = newKey.KeyId,
            AccountKeys = new AccountKeysRequestModel
            {
                UserKeyEncryptedAccountPrivateKey = privateKey,
                AccountPublicKey = publicKey,
                PublicKeyEncryptionKeyPair = new PublicKeyEncryptionKeyPairRequestModel { WrappedPrivateKey = privateKey, PublicKey = publicKey },
            },
            AccountUnlockData = new UnlockDataRequestModel
            {
                MasterPasswordUnlockData = new MasterPasswordUnlockAndAuthenticationDataModel
                {
                    KdfType = kdf.Type,
                    KdfIterations = kdf.Iterations,
                    KdfMemory = kdf.Memory,
                    KdfParallelism = kdf.Parallelism,
                    Email = unlock.Salt,
                    MasterPasswordSalt = unlock.Salt,
                    MasterKeyAuthenticationHash = loginHash,
                    MasterKeyEncryptedUserKey = wrappedUserKey,
                    ContainedKeyId = newKey.KeyId,
                },
                EmergencyAccessUnlockData = [.. (emergencyAccess ?? []).Select(g => JsonSerializer.SerializeToElement(
                    new JsonObject
                    {
                        ["id"] = g.Id.ToString(),
                        ["type"] = g.Type,
                        ["waitTimeDays"] = g.WaitTimeDays,
                        ["keyEncrypted"] = Emergency.EmergencyAccessCrypto.WrapUserKey(newKey, g.PublicKey),
                    },
                    CofferJson.Options))],
                OrganizationAccountRecoveryUnlockData = [],
                PasskeyUnlockData = [.. (passkeys ?? []).Select(p => JsonSerializer.SerializeToElement(RotatePasskey(p, oldKey, newKey), CofferJson.Options))],
                DeviceKeyUnlockData = [],
            },
            AccountData = new AccountDataRequestModel
            {
                // Organisation items stay under their organisation's key (the SDK filters them out too).
                Ciphers = [.. sync.Ciphers.Where(c => string.IsNullOrEmpty(c.OrganizationId)).Select(c => RotateCipher(c, oldKey, newKey))],
                Folders = [.. sync.Folders.Select(f => new FolderWithIdRequestModel { Id = f.Id, Name = Rewrap(f.Name, oldKey, newKey) })],
                Sends = [.. FileEntries.Sends(sync).Select(s => RotateSend(s, oldKey, newKey))],
            },
        };
    }

    /// <summary>
    /// The <c>passkeyKeyData</c> of <c>key-rotation-data</c> (account doc §3.3), whose entries arrive as JSON, as
    /// <see cref="PasskeyKeyDataModel"/>s: each an object with a GUID <c>id</c> and EncStrings <c>encryptedPublicKey</c>
    /// and <c>encryptedUserKey</c>.
    /// </summary>
    /// <exception cref="FormatException">An entry is not such an object; the message gives its position.</exception>
    public static IReadOnlyList<PasskeyKeyDataModel> ReadPasskeyKeyData(IReadOnlyList<object> keyData)
    {
        ArgumentNullException.ThrowIfNull(keyData);
        var passkeys = new List<PasskeyKeyDataModel>(keyData.Count);
        for (var i = 0; i < keyData.Count; i++)
        {
            PasskeyKeyDataModel? entry;
            try
            {
                entry = JsonSerializer.SerializeToElement(keyData[i], CofferJson.Options).Deserialize<PasskeyKeyDataModel>(CofferJson.Options);
            }
            catch (JsonException e)
            {
                throw new FormatException($"Entry {i} of the server's passkeyKeyData is not a passkey's key set ({e.Message}).", e);
            }

            passkeys.Add(entry is not null && Guid.TryParse(entry.Id, out _) && EncString.TryParse(entry.EncryptedPublicKey, out _) && EncString.TryParse(entry.EncryptedUserKey, out _)
                ? entry
                : throw new FormatException($"Entry {i} of the server's passkeyKeyData is not a passkey's key set (a GUID id and two EncStrings)."));
        }

        return passkeys;
    }

    /// <summary>
    /// A PRF passkey's key set for the new user key. The public key comes out of an EncString under the current user key
    /// (MAC checked), so a server cannot slip in a key of its own for the new user key to be wrapped to; an old entry of a
    /// deleted passkey would only wrap it to a key whose private half is under that authenticator's PRF output, which the
    /// server never sees.
    /// </summary>
    private static PasskeyUnlockDataModel RotatePasskey(PasskeyKeyDataModel passkey, SymmetricKey oldKey, SymmetricKey newKey)
    {
        var id = Guid.Parse(passkey.Id);
        var encrypted = EncString.Parse(passkey.EncryptedPublicKey);
        byte[] spki;
        try
        {
            spki = encrypted.Decrypt(oldKey);
        }
        catch (CryptographicException e)
        {
            throw new CryptographicException($"The public key of passkey {id} does not decrypt under the current user key; nothing was sent.", e);
        }

        try
        {
            return new PasskeyUnlockDataModel
            {
                Id = id,
                EncryptedUserKey = OrganizationKeys.Wrap(newKey, Convert.ToBase64String(spki)),
                EncryptedPublicKey = EncString.Encrypt(spki, newKey).ToString(),
            };
        }
        catch (CryptographicException e)
        {
            throw new CryptographicException($"The public key of passkey {id} is not an RSA public key (SPKI); nothing was sent.", e);
        }
    }

    /// <summary>
    /// An item with its own key only needs that key re-wrapped; everything else stays encrypted under it. An item
    /// without one has every EncString in it re-encrypted, including those this client does not model (passkeys,
    /// SSH keys, newer item types), so nothing is left under the old key.
    /// </summary>
    private static CipherWithIdRequestModel RotateCipher(CipherDetailsResponseModel cipher, SymmetricKey oldKey, SymmetricKey newKey)
    {
        var data = JsonSerializer.SerializeToNode<CipherDataModel>(cipher, CofferJson.Options)!.AsObject();
        if (!string.IsNullOrEmpty(cipher.Key))
        {
            data["key"] = Rewrap(cipher.Key, oldKey, newKey);
        }
        else
        {
            ReencryptAll(data, oldKey, newKey);
        }

        var request = data.Deserialize<CipherWithIdRequestModel>(CofferJson.Options)!;
        if (string.IsNullOrEmpty(cipher.Key) && FileEntries.Attachments(cipher) is { Count: > 0 } attachments)
        {
            request.Attachments2 = attachments.ToDictionary(a => a.Id, a => new CipherAttachmentModel
            {
                FileName = Rewrap(a.FileName, oldKey, newKey),
                Key = a.Key is { Length: > 0 } key
                    ? Rewrap(key, oldKey, newKey)
                    : throw new CryptographicException($"Attachment {a.Id} of item {cipher.Id} predates per-attachment keys: its file is under the user key and would become unreadable. Download it and attach it again first."),
            });
        }

        request.Id = cipher.Id;
        request.Type = cipher.Type;
        request.FolderId = cipher.FolderId?.ToString();
        request.Favorite = cipher.Favorite;
        request.ArchivedDate = cipher.ArchivedDate;
        return request;
    }

    // Only the seed's wrapping changes; the rest is sent back as it is, all of it under the unchanged Send key.
    private static SendWithIdRequestModel RotateSend(SendResponseModel send, SymmetricKey oldKey, SymmetricKey newKey) => new()
    {
        Id = send.Id,
        Type = send.Type,
        AuthType = send.AuthType,
        Name = send.Name,
        Notes = send.Notes,
        Key = Rewrap(send.Key, oldKey, newKey),
        MaxAccessCount = send.MaxAccessCount,
        ExpirationDate = send.ExpirationDate,
        DeletionDate = send.DeletionDate,
        Disabled = send.Disabled,
        HideEmail = send.HideEmail,
        Text = send.Text,
        File = send.File is { } file ? new SendFileModel { FileName = file.FileName } : null,
    };

    /// <summary>Every type 2 EncString inside <paramref name="node"/> decrypted under <paramref name="oldKey"/> and encrypted again under <paramref name="newKey"/>, in place.</summary>
    internal static void ReencryptAll(JsonNode? node, SymmetricKey oldKey, SymmetricKey newKey)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (Reencrypted(obj[name], oldKey, newKey) is { } replacement)
                    {
                        obj[name] = replacement;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (Reencrypted(array[i], oldKey, newKey) is { } replacement)
                    {
                        array[i] = replacement;
                    }
                }

                break;
        }
    }

    /// <summary>A new value for an EncString leaf; null after re-encrypting inside a container (or for any other leaf).</summary>
    private static JsonValue? Reencrypted(JsonNode? node, SymmetricKey oldKey, SymmetricKey newKey)
    {
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            && EncString.TryParse(value.GetValue<string>(), out var encrypted) && encrypted.Type == EncryptionType.AesCbc256_HmacSha256_B64)
        {
            return JsonValue.Create(Rewrap(encrypted, oldKey, newKey));
        }

        ReencryptAll(node, oldKey, newKey);
        return null;
    }

    private static string Rewrap(string encrypted, SymmetricKey oldKey, SymmetricKey newKey) => Rewrap(EncString.Parse(encrypted), oldKey, newKey);

    private static string Rewrap(EncString encrypted, SymmetricKey oldKey, SymmetricKey newKey)
    {
        var plain = encrypted.Decrypt(oldKey);
        try
        {
            return EncString.Encrypt(plain, newKey).ToString();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
