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
/// every Send's seed re-wrapped (its content is under the Send key, which does not change), and the new key wrapped by
/// the (unchanged) master key. The server swaps it all in one transaction.
/// </summary>
public static class KeyRotation
{
    /// <summary>Builds the request; the new user key's id is <see cref="RotateUserAccountKeysAndDataRequestModel.NewUserKeyId"/>.</summary>
    /// <exception cref="CryptographicException">
    /// Wrong password; an item, attachment or Send not encrypted under the current user key; or an attachment from before
    /// per-attachment keys on an item without its own key, whose file is under the user key itself and would become
    /// unreadable (it has to be downloaded and attached again first).
    /// </exception>
    /// <param name="sync">A fresh sync of the account.</param>
    /// <param name="password">The master password (unchanged by a rotation).</param>
    /// <param name="emergencyAccess">
    /// Every grant with a key (status Confirmed or later), with the grantee's public key as the caller checked it: the
    /// new user key is wrapped for each (<c>emergencyAccessUnlockData</c>, bitwarden-sharing-features.md §4.4), or the
    /// server refuses the rotation.
    /// </param>
    public static RotateUserAccountKeysAndDataRequestModel Build(SyncResponseModel sync, string password, IReadOnlyList<EmergencyAccessRotation>? emergencyAccess = null)
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
                PasskeyUnlockData = [],
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
