using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.TwoFactor;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Passkeys;

/// <summary>
/// Passkeys in a user key rotation (account doc §3.3): every passkey holding a PRF key set is listed in
/// <c>passkeyKeyData</c>, and the rotation must bring each of them back in <c>passkeyUnlockData</c>, re-wrapped for the
/// new user key; one left out, one named twice or one that is not this account's PRF passkey refuses the whole
/// rotation, as for the other unlock data. Left out, it would keep unwrapping the old user key, which then opens nothing.
/// </summary>
public static class PasskeyRotation
{
    private static readonly JsonSerializerOptions Json = new(CofferJson.Options) { PropertyNameCaseInsensitive = true };

    /// <summary>The account's PRF passkeys for <c>key-rotation-data</c>.</summary>
    public static async Task<IReadOnlyList<object>> KeyDataAsync(CofferDb db, Guid userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var passkeys = await WithKeys(db, userId).AsNoTracking().OrderBy(c => c.CreationDate).ToListAsync(ct);
        return passkeys.Select(c => (object)new PasskeyKeyDataModel { Id = c.Id.ToString(), EncryptedPublicKey = c.EncryptedPublicKey!, EncryptedUserKey = c.EncryptedUserKey! }).ToList();
    }

    /// <summary>
    /// Checks <paramref name="sent"/> against the account's PRF passkeys: an error to answer, or the change to apply
    /// (tracked entities, saved with the rotation's commit).
    /// </summary>
    public static async Task<(IResult? Error, Action Apply)> CheckAsync(CofferDb db, Guid userId, IReadOnlyList<JsonElement>? sent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        const string Field = "passkeyUnlockData";
        var stored = await WithKeys(db, userId).ToDictionaryAsync(c => c.Id, ct);
        var entries = new List<PasskeyUnlockDataModel>();
        foreach (var element in sent ?? [])
        {
            try
            {
                entries.Add(element.Deserialize<PasskeyUnlockDataModel>(Json) ?? new PasskeyUnlockDataModel());
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                return (BitwardenErrors.BadRequest("passkeyUnlockData holds an entry that is not a passkey's unlock data.", Field), () => { });
            }
        }

        var seen = new HashSet<Guid>();
        foreach (var entry in entries)
        {
            if (entry.Id is not { } id || !stored.ContainsKey(id) || !seen.Add(id))
            {
                // Another account's passkey, one without PRF keys and a made-up id answer alike.
                return (BitwardenErrors.BadRequest("passkeyUnlockData names a passkey that is not one of this account's PRF passkeys, or names one twice.", Field), () => { });
            }

            if ((PasskeyCeremonies.CheckWrappedKey("encryptedUserKey", entry.EncryptedUserKey) ?? PasskeyCeremonies.CheckWrappedKey("encryptedPublicKey", entry.EncryptedPublicKey)) is { } invalid)
            {
                return (invalid, () => { });
            }
        }

        if (seen.Count != stored.Count)
        {
            return (BitwardenErrors.BadRequest("All existing passkeys must be included in the rotation.", Field), () => { });
        }

        void Apply()
        {
            foreach (var entry in entries)
            {
                // The private key stays wrapped by the PRF key, which a rotation does not touch.
                var passkey = stored[entry.Id!.Value];
                passkey.EncryptedUserKey = entry.EncryptedUserKey;
                passkey.EncryptedPublicKey = entry.EncryptedPublicKey;
            }
        }

        return (null, Apply);
    }

    private static IQueryable<WebAuthnCredential> WithKeys(CofferDb db, Guid userId) =>
        db.WebAuthnCredentials.Where(c => c.UserId == userId && c.Kind == WebAuthnCredentialKind.Passkey
            && c.SupportsPrf && c.EncryptedUserKey != null && c.EncryptedPublicKey != null && c.EncryptedPrivateKey != null);
}
