using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Vault;

/// <summary>
/// Builds a user key rotation (account doc §3.3) from a fresh sync: a new random user key, the same RSA private key
/// re-wrapped under it, every personal cipher and folder re-encrypted, and the new key wrapped by the (unchanged)
/// master key. The server swaps it all in one transaction.
/// </summary>
public static class KeyRotation
{
    /// <summary>Builds the request; the new user key's id is <see cref="RotateUserAccountKeysAndDataRequestModel.NewUserKeyId"/>.</summary>
    /// <exception cref="CryptographicException">Wrong password, or an item that is not encrypted under the current user key.</exception>
    public static RotateUserAccountKeysAndDataRequestModel Build(SyncResponseModel sync, string password)
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
                EmergencyAccessUnlockData = [],
                OrganizationAccountRecoveryUnlockData = [],
                PasskeyUnlockData = [],
                DeviceKeyUnlockData = [],
            },
            AccountData = new AccountDataRequestModel
            {
                // Organisation items stay under their organisation's key (the SDK filters them out too).
                Ciphers = [.. sync.Ciphers.Where(c => string.IsNullOrEmpty(c.OrganizationId)).Select(c => RotateCipher(c, oldKey, newKey))],
                Folders = [.. sync.Folders.Select(f => new FolderWithIdRequestModel { Id = f.Id, Name = Rewrap(f.Name, oldKey, newKey) })],
                Sends = [],
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
        request.Id = cipher.Id;
        request.Type = cipher.Type;
        request.FolderId = cipher.FolderId?.ToString();
        request.Favorite = cipher.Favorite;
        request.ArchivedDate = cipher.ArchivedDate;
        if (string.IsNullOrEmpty(cipher.Key))
        {
            // Attachment names and keys are under the user key too; the files stay under their own keys (§2.9).
            request.Attachments2 = (cipher.Attachments ?? []).OfType<JsonElement>().ToDictionary(
                a => a.GetProperty("id").GetString()!,
                a => new CipherAttachmentModel
                {
                    FileName = Rewrap(a.GetProperty("fileName").GetString()!, oldKey, newKey),
                    Key = a.TryGetProperty("key", out var key) && key.GetString() is { } wrapped ? Rewrap(wrapped, oldKey, newKey) : null,
                });
        }

        return request;
    }

    private static void ReencryptAll(JsonNode? node, SymmetricKey oldKey, SymmetricKey newKey)
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
