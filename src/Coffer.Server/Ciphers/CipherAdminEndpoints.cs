using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Ciphers;

/// <summary>
/// The admin console's item routes (doc <c>bitwarden-organizations.md</c> §6.3): every item of an organization,
/// unassigned ones too, for members who can edit any collection (Owners, Admins, Custom with edit-any). Anyone else,
/// and any item of an organization where the caller has no such right, gets 404 (advisory T9). Purge is the Owner's
/// alone, Confirmed, with the master password (T7).
/// </summary>
public static class CipherAdminEndpoints
{
    private const int MaxBulkIds = 5000;

    public static void MapCipherAdmin(this RouteGroupBuilder ciphers)
    {
        ciphers.MapGet("/organization-details", OrganizationDetails).Produces<ListResponseModel<CipherDetailsResponseModel>>()
            .WithSummary("Every item of an organization (edit-any members)");
        ciphers.MapGet("/{id}/admin", Get).Produces<CipherDetailsResponseModel>();
        ciphers.MapPut("/{id}/admin", Update).Produces<CipherDetailsResponseModel>();
        ciphers.MapPost("/{id}/admin", Update).Produces<CipherDetailsResponseModel>().WithSummary("Alias of PUT");
        ciphers.MapPut("/{id}/delete-admin", (Guid id, ClaimsPrincipal p, CofferDb db, Changes c, CancellationToken ct) => ChangeOne(id, p, db, c, CipherEndpoints.SoftDeleteAsync, ct));
        ciphers.MapPut("/{id}/restore-admin", (Guid id, ClaimsPrincipal p, CofferDb db, Changes c, CancellationToken ct) => ChangeOne(id, p, db, c, CipherEndpoints.RestoreAsync, ct));
        ciphers.MapDelete("/{id}/admin", (Guid id, ClaimsPrincipal p, CofferDb db, Changes c, CancellationToken ct) => ChangeOne(id, p, db, c, CipherEndpoints.DeleteAsync, ct));
        ciphers.MapPost("/{id}/delete-admin", (Guid id, ClaimsPrincipal p, CofferDb db, Changes c, CancellationToken ct) => ChangeOne(id, p, db, c, CipherEndpoints.DeleteAsync, ct));
        ciphers.MapDelete("/admin", ([Microsoft.AspNetCore.Mvc.FromBody] CipherBulkRequestModel r, ClaimsPrincipal p, CofferDb db, Changes c, CancellationToken ct) =>
            ChangeMany(r, p, db, c, EventType.CipherDeleted, (cipher, now) => db.Ciphers.Remove(cipher), ct));
        ciphers.MapPut("/delete-admin", (CipherBulkRequestModel r, ClaimsPrincipal p, CofferDb db, Changes c, CancellationToken ct) =>
            ChangeMany(r, p, db, c, EventType.CipherSoftDeleted, (cipher, now) => { cipher.DeletedDate ??= now; cipher.Revise(now); }, ct));
        ciphers.MapPut("/restore-admin", (CipherBulkRequestModel r, ClaimsPrincipal p, CofferDb db, Changes c, CancellationToken ct) =>
            ChangeMany(r, p, db, c, EventType.CipherRestored, (cipher, now) => { cipher.DeletedDate = null; cipher.Revise(now); }, ct));
        ciphers.MapPost("/purge", Purge).WithSummary("Delete every item of an organization (Owner), or of the caller's own vault");
    }

    /// <summary>An organization item for a caller who can edit any collection of its organization, tracked; null otherwise (404).</summary>
    internal static async Task<CipherItem?> FindAsAdminAsync(CofferDb db, VaultAccess access, Guid id, CancellationToken ct)
    {
        var organizations = access.Organizations.Values.Where(m => m.CanEditAnyCollection).Select(m => m.OrganizationId).ToList();
        var cipher = await db.Ciphers.SingleOrDefaultAsync(c => c.Id == id && c.OrganizationId != null && organizations.Contains(c.OrganizationId.Value), ct);
        if (cipher is null)
        {
            return null;
        }

        var collections = await db.CollectionCiphers.AsNoTracking().Where(l => l.CipherId == id).Select(l => l.CollectionId).ToListAsync(ct);
        var preference = await db.CipherPreferences.SingleOrDefaultAsync(p => p.UserId == access.UserId && p.CipherId == id, ct);
        return new CipherItem(cipher, collections, CollectionFlags.Full, preference);
    }

    private static async Task<IResult> OrganizationDetails(Guid? organizationId, ClaimsPrincipal principal, CofferDb db, HttpResponse response, CancellationToken ct)
    {
        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        if (organizationId is not { } id || access.Member(id) is not { CanEditAnyCollection: true })
        {
            return BitwardenErrors.NotFound("Resource not found.");
        }

        var items = await CipherItems.OfOrganizationAsync(db, id, userId, ct);
        await CipherJson.WriteListAsync(response, items.Select(i => (i.Cipher, i.View(access))), ct);
        return Results.Empty;
    }

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var access = await VaultAccess.LoadAsync(db, principal.UserId(), ct);
        var item = await FindAsAdminAsync(db, access, id, ct);
        return item is null ? CipherEndpoints.CipherNotFound() : CipherJson.Result(item.Cipher, item.View(access));
    }

    private static async Task<IResult> Update(Guid id, CipherRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        if (CipherValidation.Validate(request, userId) is { } error)
        {
            return BitwardenErrors.BadRequest(error);
        }

        var access = await VaultAccess.LoadAsync(db, userId, ct);
        var item = await FindAsAdminAsync(db, access, id, ct);
        if (item is null)
        {
            return CipherEndpoints.CipherNotFound();
        }

        var (updated, refused) = await CipherEndpoints.ApplyUpdateAsync(item, request, userId, db, changes, ct);
        return refused ?? CipherJson.Result(updated!.Cipher, updated.View(access));
    }

    private static async Task<IResult> ChangeOne(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes,
        Func<CipherItem, Guid, CofferDb, Changes, CancellationToken, Task<IResult?>> change, CancellationToken ct)
    {
        var access = await VaultAccess.LoadAsync(db, principal.UserId(), ct);
        var item = await FindAsAdminAsync(db, access, id, ct);
        return item is null ? CipherEndpoints.CipherNotFound() : await change(item, principal.UserId(), db, changes, ct) ?? Results.Ok();
    }

    private static async Task<IResult> ChangeMany(CipherBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, EventType type,
        Action<Cipher, DateTime> change, CancellationToken ct)
    {
        var ids = (request.Ids ?? []).Distinct().ToList();
        if (ids.Count is 0 or > MaxBulkIds)
        {
            return BitwardenErrors.BadRequest($"ids must list 1 to {MaxBulkIds} item ids.", "ids");
        }

        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        if (request.OrganizationId is not { } organizationId || access.Member(organizationId) is not { CanEditAnyCollection: true })
        {
            return BitwardenErrors.NotFound("Resource not found.");
        }

        var ciphers = await db.Ciphers.Where(c => ids.Contains(c.Id) && c.OrganizationId == organizationId).ToListAsync(ct);
        if (ciphers.Count != ids.Count)
        {
            return CipherEndpoints.CipherNotFound();
        }

        foreach (var cipher in ciphers)
        {
            change(cipher, changes.Now);
            changes.RecordOrganization(type, organizationId, userId, cipher.Id);
        }

        return await NotifyOrganizationAsync(db, changes, organizationId, userId, ct);
    }

    private static async Task<IResult> Purge(Guid? organizationId, SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes,
        MasterPasswordProof passwords, CancellationToken ct)
    {
        var userId = principal.UserId();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, ct);
        if (organizationId is not { } id)
        {
            if (await passwords.CheckAsync(request.MasterPasswordHash, user, ct) is { } wrong)
            {
                return wrong;
            }

            db.Ciphers.RemoveRange(await db.Ciphers.Where(c => c.UserId == userId).ToListAsync(ct));
            db.Folders.RemoveRange(await db.Folders.Where(f => f.UserId == userId).ToListAsync(ct));
            changes.Notify(PushType.SyncVault, userId, excludeActingDevice: false);
            await changes.CommitAsync(userId, ct);
            return Results.Ok();
        }

        // Only a Confirmed Owner: an Invited or Accepted "owner" is not one (advisory GHSA-937x-3j8m-7w7p, T7, P14).
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        if (access.Member(id) is not { } member)
        {
            return OrgCipherEndpoints.OrganizationNotFound();
        }

        if (!member.IsOwner)
        {
            return BitwardenErrors.BadRequest("Only an owner can purge the organization vault.");
        }

        if (await passwords.CheckAsync(request.MasterPasswordHash, user, ct) is { } refused)
        {
            return refused;
        }

        db.Ciphers.RemoveRange(await db.Ciphers.Where(c => c.OrganizationId == id).ToListAsync(ct));
        changes.RecordOrganization(EventType.OrganizationPurgedVault, id, userId);
        return await NotifyOrganizationAsync(db, changes, id, userId, ct);
    }

    /// <summary>A change to many items of an organization: every Confirmed member resyncs (one <c>SyncCiphers</c> each, doc §10.5).</summary>
    internal static async Task<IResult> NotifyOrganizationAsync(CofferDb db, Changes changes, Guid organizationId, Guid userId, CancellationToken ct)
    {
        var audience = await Audience.LoadAsync(db, organizationId, ct);
        var users = new HashSet<Guid>(audience.Everyone) { userId };
        foreach (var user in users)
        {
            changes.Notify(PushType.SyncCiphers, user);
        }

        await changes.CommitAsync(users, ct);
        return Results.Ok();
    }
}
