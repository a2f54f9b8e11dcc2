using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Emergency;

/// <summary>
/// Emergency access in a user key rotation (<c>bitwarden-account.md</c> §3.3, <c>bitwarden-sharing-features.md</c> §4.4):
/// every grant with a key (Confirmed and later) holds the grantor's user key wrapped for the grantee, so a rotation
/// must re-wrap the new user key for each, or the grantee would later receive a key that opens nothing.
/// </summary>
public static class EmergencyAccessKeys
{
    /// <summary>
    /// <c>emergencyAccessKeyData</c> of <c>GET …/key-rotation-data</c>: each of <paramref name="grantorId"/>'s grants
    /// with a key, with the grantee's public key.
    /// </summary>
    public static async Task<IReadOnlyList<object>> RotationDataAsync(CofferDb db, Guid grantorId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await (
                from grant in db.EmergencyAccessGrants.AsNoTracking()
                join grantee in db.Users on grant.GranteeId equals grantee.Id
                where grant.GrantorId == grantorId && grant.KeyEncrypted != null
                orderby grant.CreationDate
                select (object)new EmergencyAccessKeyDataResponseModel
                {
                    Id = grant.Id,
                    GranteeId = grantee.Id,
                    GranteeName = grantee.Name,
                    GranteeEmail = grantee.Email,
                    PublicKey = grantee.PublicKey,
                })
            .ToListAsync(ct);
    }

    /// <summary>
    /// Checks <c>accountUnlockData.emergencyAccessUnlockData</c> against <paramref name="grantorId"/>'s grants with a key
    /// (each exactly once, none foreign, each <c>keyEncrypted</c> an EncString) and sets the new keys on the tracked
    /// grants, saved with the rotation. Null when applied, else the 400 to answer (nothing applied).
    /// </summary>
    public static async Task<IResult?> RotateAsync(CofferDb db, Guid grantorId, IReadOnlyList<JsonElement>? entries, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        const string Field = "emergencyAccessUnlockData";
        var keys = new Dictionary<Guid, string>();
        foreach (var entry in entries ?? [])
        {
            EmergencyAccessWithIdRequestModel? parsed;
            try
            {
                parsed = entry.Deserialize<EmergencyAccessWithIdRequestModel>(CofferJson.Options);
            }
            catch (JsonException)
            {
                parsed = null;
            }

            if (parsed is not { Id: { } id } || !EmergencyAccessEndpoints.IsWrappedKey(parsed.KeyEncrypted))
            {
                return BitwardenErrors.BadRequest("Every emergency access key needs its grant id and an EncString keyEncrypted.", Field);
            }

            if (!keys.TryAdd(id, parsed.KeyEncrypted!))
            {
                return BitwardenErrors.BadRequest($"{Field} lists {id} twice.", Field);
            }
        }

        var grants = await db.EmergencyAccessGrants.Where(g => g.GrantorId == grantorId && g.KeyEncrypted != null).ToListAsync(ct);
        if (keys.Keys.Any(id => !grants.Exists(g => g.Id == id)))
        {
            // Another grantor's grant, one without a key, or none at all: the same answer, so nothing is revealed.
            return BitwardenErrors.BadRequest($"{Field} contains an id that is not one of this account's emergency access grants with a key.", Field);
        }

        if (keys.Count != grants.Count)
        {
            return BitwardenErrors.BadRequest("All existing emergency access keys must be included in the rotation.", Field);
        }

        foreach (var grant in grants)
        {
            grant.KeyEncrypted = keys[grant.Id];
            grant.RevisionDate = now;
        }

        return null;
    }
}
