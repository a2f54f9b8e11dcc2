using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Accounts;

/// <summary>
/// User key rotation (account doc §3.3): the client sends a new user key and every personal cipher, folder and Send
/// re-encrypted under it, and the server swaps them all in one transaction or changes nothing. The server cannot
/// check the cryptography, so it checks everything else: the old login hash, that the KDF, salt and public key
/// stay, that the item list is exactly the vault (none missing, none foreign, none twice), and every item's syntax.
/// </summary>
public static class KeyRotationEndpoints
{
    private const int MaxPrivateKeyLength = 10_000;
    private const int MaxFolderNameLength = 1000;

    internal static void MapKeyRotation(this RouteGroupBuilder accounts)
    {
        accounts.MapGet("/key-management/key-rotation-data", RotationData).Produces<KeyRotationDataResponseModel>()
            .WithSummary("What else takes part in a rotation: the emergency access grants with a key and their grantees' public keys");
        accounts.MapPost("/key-management/rotate-user-account-keys", Rotate)
            .WithMetadata(new ImportSizeLimit())
            .WithSummary("Replace the user key and re-encrypt the whole vault in one request");
    }

    private static async Task<IResult> RotationData(ClaimsPrincipal principal, CofferDb db, CancellationToken ct) => Results.Json(new KeyRotationDataResponseModel
    {
        EmergencyAccessKeyData = await Emergency.EmergencyAccessKeys.RotationDataAsync(db, principal.UserId(), ct),
        PasskeyKeyData = await Passkeys.PasskeyRotation.KeyDataAsync(db, principal.UserId(), ct),
    }, CofferJson.Options);

    private static async Task<IResult> Rotate(RotateUserAccountKeysAndDataRequestModel request, ClaimsPrincipal principal, CofferDb db, PasswordHashing hashing, MasterPasswordProof proof, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var user = await db.Users.SingleAsync(u => u.Id == userId, ct);
        if ((CheckUnlock(request, user) ?? CheckAccountKeys(request.AccountKeys, user) ?? CheckNothingElse(request)) is { } invalid)
        {
            return invalid;
        }

        if (await proof.CheckAsync(request.OldMasterKeyAuthenticationHash, user, ct) is { } denied)
        {
            return denied;
        }

        var ciphers = request.AccountData?.Ciphers ?? [];
        var folders = request.AccountData?.Folders ?? [];
        var storedCiphers = await db.Ciphers.Where(c => c.UserId == userId).ToDictionaryAsync(c => c.Id, ct);
        var storedFolders = await db.Folders.Where(f => f.UserId == userId).ToDictionaryAsync(f => f.Id, ct);
        var sends = request.AccountData?.Sends ?? [];
        var storedSends = await db.Sends.Where(s => s.UserId == userId).ToDictionaryAsync(s => s.Id, ct);
        var passkeys = await Passkeys.PasskeyRotation.CheckAsync(db, userId, request.AccountUnlockData!.PasskeyUnlockData, ct);
        if (passkeys.Error is { } badPasskeys)
        {
            return badPasskeys;
        }

        if ((ExactlyTheVault(ciphers.Select(c => c.Id).ToList(), storedCiphers.Keys, "ciphers")
            ?? ExactlyTheVault(folders.Select(f => f.Id).ToList(), storedFolders.Keys, "folders")
            ?? ExactlyTheVault(sends.Select(s => s.Id).ToList(), storedSends.Keys, "sends")
            ?? Sends.SendValidation.CheckRotatedKeys(sends)
            ?? CheckFolders(folders)
            ?? CheckCiphers(ciphers, storedCiphers, storedFolders, userId)) is { } incomplete)
        {
            return incomplete;
        }

        if (await Emergency.EmergencyAccessKeys.RotateAsync(db, userId, request.AccountUnlockData!.EmergencyAccessUnlockData, changes.Now, ct) is { } badGrants)
        {
            return badGrants;
        }

        if (ciphers.Select(c => CipherAttachments.CheckKeys(c.Attachments2)).FirstOrDefault(e => e is not null) is { } badAttachments)
        {
            return BitwardenErrors.BadRequest(badAttachments, "ciphers");
        }

        // The files stay as they are; only the wrapping of each attachment key changes (§2.9). One query for the vault.
        var attachments = await db.Attachments.Where(a => db.Ciphers.Any(c => c.Id == a.CipherId && c.UserId == userId)).ToListAsync(ct);
        var now = changes.Now;
        foreach (var folder in folders)
        {
            var stored = storedFolders[folder.Id!.Value];
            stored.Name = folder.Name!;
            stored.RevisionDate = now;
        }

        foreach (var cipher in ciphers)
        {
            // As a normal update (CipherEndpoints.Update); the trash state and creation date stay.
            var stored = storedCiphers[cipher.Id!.Value];
            stored.FolderId = string.IsNullOrEmpty(cipher.FolderId) ? null : Guid.Parse(cipher.FolderId);
            stored.Favorite = cipher.Favorite;
            stored.Data = CipherValidation.Serialize(cipher);
            stored.ArchivedDate = cipher.ArchivedDate;
            stored.Revise(now);
            CipherAttachments.ApplyKeys(attachments, stored.Id, cipher.Attachments2);
        }

        foreach (var send in sends)
        {
            // Only the seed's wrapping changes; everything else is under the Send key, which a rotation keeps.
            var stored = storedSends[send.Id!.Value];
            stored.Key = send.Key!;
            stored.RevisionDate = now;
        }

        var unlock = request.AccountUnlockData!.MasterPasswordUnlockData!;
        if (unlock.MasterKeyAuthenticationHash != request.OldMasterKeyAuthenticationHash)
        {
            // The web's "change password and rotate the key" sends both at once (account doc §5.3, event 1001).
            changes.Record(EventType.UserChangedPassword, user.Id);
        }

        user.PasswordHash = await hashing.HashAsync(unlock.MasterKeyAuthenticationHash!);
        user.Key = unlock.MasterKeyEncryptedUserKey!;
        user.PrivateKey = request.AccountKeys!.UserKeyEncryptedAccountPrivateKey ?? request.AccountKeys.PublicKeyEncryptionKeyPair!.WrappedPrivateKey!;
        user.UserKeyId = request.NewUserKeyId ?? unlock.ContainedKeyId;

        // The SDK may leave the hint out; absent keeps the stored one, "" clears it.
        if (unlock.MasterPasswordHint is not null)
        {
            user.MasterPasswordHint = AccountSecrets.Hint(unlock.MasterPasswordHint);
        }

        passkeys.Apply();
        await AccountSecrets.EndSessionsAndCommitAsync(user, EventType.UserRotatedKeys, db, changes, ct);
        return Results.Ok();
    }

    /// <summary>A rotation keeps KDF and salt; it brings a new login hash, a new wrapped user key and its id.</summary>
    private static IResult? CheckUnlock(RotateUserAccountKeysAndDataRequestModel request, User user)
    {
        if (request.AccountUnlockData?.MasterPasswordUnlockData is not { } unlock)
        {
            return BitwardenErrors.BadRequest("accountUnlockData.masterPasswordUnlockData is required.", "accountUnlockData");
        }

        if (unlock.ToKdfConfig() != user.KdfConfig)
        {
            return BitwardenErrors.BadRequest("A key rotation keeps the KDF settings; change them through /api/accounts/kdf.", "kdf");
        }

        if (unlock.Email != user.Email || (unlock.MasterPasswordSalt is { } salt && salt != user.Email))
        {
            return BitwardenErrors.BadRequest("Invalid master password salt.", "salt");
        }

        if (request.NewUserKeyId is { } newId && !WireValidation.IsKeyId(newId))
        {
            return BitwardenErrors.BadRequest("newUserKeyId must be 32 lowercase hexadecimal characters.", "newUserKeyId");
        }

        if (unlock.ContainedKeyId is { } contained
            && (!WireValidation.IsKeyId(contained) || (request.NewUserKeyId is { } id && id != contained)))
        {
            return BitwardenErrors.BadRequest("containedKeyId must equal newUserKeyId.", "containedKeyId");
        }

        return AccountSecrets.CheckKdf(user.KdfConfig)
            ?? AccountSecrets.CheckNewSecrets(unlock.MasterKeyAuthenticationHash, unlock.MasterKeyEncryptedUserKey, unlock.MasterPasswordHint);
    }

    /// <summary>The key pair is re-wrapped, never replaced: organisations and shares hold the public key.</summary>
    private static IResult? CheckAccountKeys(AccountKeysRequestModel? keys, User user)
    {
        var pair = keys?.PublicKeyEncryptionKeyPair;
        var publicKey = keys?.AccountPublicKey ?? pair?.PublicKey;
        if (publicKey is null || publicKey != user.PublicKey || (pair?.PublicKey is { } other && other != user.PublicKey))
        {
            return BitwardenErrors.BadRequest("The account public key must stay the same.", "accountPublicKey");
        }

        var wrapped = keys!.UserKeyEncryptedAccountPrivateKey;
        if (wrapped is not null && pair?.WrappedPrivateKey is { } copy && copy != wrapped)
        {
            return BitwardenErrors.BadRequest("The two copies of the wrapped private key disagree.", "userKeyEncryptedAccountPrivateKey");
        }

        wrapped ??= pair?.WrappedPrivateKey;
        return WireValidation.IsSymmetricEncString(wrapped) && wrapped!.Length <= MaxPrivateKeyLength
            ? null
            : BitwardenErrors.BadRequest("The wrapped private key must be an EncString of type 2.", "userKeyEncryptedAccountPrivateKey");
    }

    /// <summary>
    /// Coffer has no organisation account recovery or trusted devices, so any entry in
    /// those lists names something that is not this account's: refused rather than ignored.
    /// </summary>
    private static IResult? CheckNothingElse(RotateUserAccountKeysAndDataRequestModel request)
    {
        var unlock = request.AccountUnlockData!;
        var lists = new (string Name, int Count)[]
        {
            ("organizationAccountRecoveryUnlockData", unlock.OrganizationAccountRecoveryUnlockData?.Count ?? 0),
            ("deviceKeyUnlockData", unlock.DeviceKeyUnlockData?.Count ?? 0),
        };
        return lists.FirstOrDefault(l => l.Count > 0) is { Name: { } name }
            ? BitwardenErrors.BadRequest($"{name} must be empty: this server stores nothing of that kind.", name)
            : null;
    }

    /// <summary>The ids sent must be the stored ones exactly: each once, none missing, none from elsewhere.</summary>
    private static IResult? ExactlyTheVault(List<Guid?> sent, ICollection<Guid> stored, string what)
    {
        var seen = new HashSet<Guid>();
        foreach (var id in sent)
        {
            if (id is not { } value)
            {
                return BitwardenErrors.BadRequest($"Every entry of {what} needs its id.", what);
            }

            if (!seen.Add(value))
            {
                return BitwardenErrors.BadRequest($"{what} lists {value} twice.", what);
            }

            if (!stored.Contains(value))
            {
                // Another user's id, or one that does not exist: the same answer, so nothing is revealed.
                return BitwardenErrors.BadRequest($"{what} contains an id that is not in this vault.", what);
            }
        }

        return seen.Count == stored.Count ? null : BitwardenErrors.BadRequest($"All existing {what} must be included in the rotation.", what);
    }

    private static IResult? CheckFolders(IReadOnlyList<FolderWithIdRequestModel> folders) =>
        folders.Any(f => !WireValidation.IsSymmetricEncString(f.Name) || f.Name!.Length > MaxFolderNameLength)
            ? BitwardenErrors.BadRequest("Every folder name must be an EncString (type 2).", "folders")
            : null;

    private static IResult? CheckCiphers(IReadOnlyList<CipherWithIdRequestModel> ciphers, Dictionary<Guid, Cipher> stored, Dictionary<Guid, Folders.Folder> folders, Guid userId)
    {
        foreach (var cipher in ciphers)
        {
            if (CipherValidation.Validate(cipher, userId) is { } error)
            {
                return BitwardenErrors.BadRequest($"Cipher {cipher.Id}: {error}", "ciphers");
            }

            // Organization items are under their organization's key, which a user key rotation does not touch.
            if (cipher.OrganizationId is { Length: > 0 })
            {
                return BitwardenErrors.BadRequest($"Cipher {cipher.Id}: organization items are not part of a key rotation.", "ciphers");
            }

            if (cipher.Type != stored[cipher.Id!.Value].Type)
            {
                return BitwardenErrors.BadRequest($"Cipher {cipher.Id}: the type of an item cannot change.", "ciphers");
            }

            if (!string.IsNullOrEmpty(cipher.FolderId) && !(Guid.TryParse(cipher.FolderId, out var folderId) && folders.ContainsKey(folderId)))
            {
                return BitwardenErrors.BadRequest($"Cipher {cipher.Id}: folderId is not a folder of this vault.", "ciphers");
            }
        }

        return null;
    }
}
