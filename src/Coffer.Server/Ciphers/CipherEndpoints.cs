using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Folders;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Ciphers;

/// <summary>
/// Single-item cipher routes (protocol §4.10–4.13). Ownership is part of every query, so another user's id
/// is simply "not found" (404, never 403, which would log the CLI out).
/// </summary>
public static class CipherEndpoints
{
    // The TS client sends milliseconds and the SDK whole seconds, so revision dates match within 1 s (protocol §4.10).
    private static readonly TimeSpan RevisionTolerance = TimeSpan.FromSeconds(1);

    public static void MapCiphers(this IEndpointRouteBuilder api)
    {
        var ciphers = api.MapGroup("/ciphers").WithTags("Ciphers");
        ciphers.MapGet("", List).Produces<ListResponseModel<CipherDetailsResponseModel>>();
        ciphers.MapPost("", Create).Produces<CipherDetailsResponseModel>();
        ciphers.MapPost("/create", CreateWithCollections).Produces<CipherDetailsResponseModel>();
        ciphers.MapGet("/{id}", Get).Produces<CipherDetailsResponseModel>();
        ciphers.MapGet("/{id}/details", Get).Produces<CipherDetailsResponseModel>();
        ciphers.MapPut("/{id}", Update).Produces<CipherDetailsResponseModel>();
        ciphers.MapPost("/{id}", Update).Produces<CipherDetailsResponseModel>().WithSummary("Alias of PUT");
        ciphers.MapPut("/{id}/delete", SoftDelete).WithSummary("Move to the trash");
        ciphers.MapPut("/{id}/restore", Restore).Produces<CipherDetailsResponseModel>();
        ciphers.MapDelete("/{id}", Delete).WithSummary("Delete permanently");
        ciphers.MapPost("/{id}/delete", Delete).WithSummary("Alias of DELETE");
        ciphers.MapBulkCiphers();
    }

    internal static IResult CipherNotFound() => BitwardenErrors.NotFound("Cipher doesn't exist.");

    private static async Task<IResult> List(ClaimsPrincipal principal, CofferDb db, HttpResponse response, CancellationToken ct)
    {
        var userId = principal.UserId();
        var ciphers = await db.Ciphers.AsNoTracking().Where(c => c.UserId == userId).OrderBy(c => c.Id).ToListAsync(ct);
        await CipherJson.WriteListAsync(response, ciphers, ct);
        return Results.Empty;
    }

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var cipher = await db.Ciphers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.UserId == userId, ct);
        return cipher is null ? CipherNotFound() : CipherJson.Result(cipher);
    }

    private static Task<IResult> CreateWithCollections(CipherCreateRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
        request.Cipher is null
            ? Task.FromResult(BitwardenErrors.BadRequest("cipher is required.", "cipher"))
            : request.CollectionIds is { Count: > 0 }
                ? Task.FromResult(BitwardenErrors.BadRequest("Collections are not supported by this server.", "collectionIds"))
                : Create(request.Cipher, principal, db, changes, ct);

    private static async Task<IResult> Create(CipherRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        if (CipherValidation.Validate(request, userId) is { } error)
        {
            return BitwardenErrors.BadRequest(error);
        }

        if (await PolicyEnforcement.CheckPersonalItemAsync(db, userId, ct) is { } forbidden)
        {
            return BitwardenErrors.BadRequest(forbidden);
        }

        // lastKnownRevisionDate is sent on create too and is ignored there (protocol §7.3).
        var folder = await ResolveFolder(request.FolderId, userId, db, ct);
        if (folder.Error is not null)
        {
            return folder.Error;
        }

        var cipher = new Cipher
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            FolderId = folder.Id,
            Type = request.Type,
            Favorite = request.Favorite,
            Data = CipherValidation.Serialize(request),
            CreationDate = changes.Now,
            RevisionDate = changes.Now,
            ArchivedDate = request.ArchivedDate,
        };
        db.Ciphers.Add(cipher);
        changes.Record(EventType.CipherCreated, userId, cipher.Id);
        changes.Notify(PushType.SyncCipherCreate, userId, cipher.Id, cipher.RevisionDate);
        await changes.CommitAsync(userId, ct);
        return CipherJson.Result(cipher);
    }

    private static async Task<IResult> Update(Guid id, CipherRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        if (CipherValidation.Validate(request, userId) is { } error)
        {
            return BitwardenErrors.BadRequest(error);
        }

        var cipher = await db.Ciphers.SingleOrDefaultAsync(c => c.Id == id && c.UserId == userId, ct);
        if (cipher is null)
        {
            return CipherNotFound();
        }

        if (request.LastKnownRevisionDate is { } known && (known.ToUniversalTime() - cipher.RevisionDate).Duration() > RevisionTolerance)
        {
            return BitwardenErrors.BadRequest("The client copy of this cipher is out of date. Resync the client and try again.");
        }

        if (request.Type != cipher.Type)
        {
            return BitwardenErrors.BadRequest("The type of an item cannot change.", "type");
        }

        var folder = await ResolveFolder(request.FolderId, userId, db, ct);
        if (folder.Error is not null)
        {
            return folder.Error;
        }

        cipher.FolderId = folder.Id;
        cipher.Favorite = request.Favorite;
        cipher.Data = CipherValidation.Serialize(request);
        cipher.ArchivedDate = request.ArchivedDate;
        cipher.Revise(changes.Now);
        changes.Record(EventType.CipherUpdated, userId, cipher.Id);
        changes.Notify(PushType.SyncCipherUpdate, userId, cipher.Id, cipher.RevisionDate);
        await changes.CommitAsync(userId, ct);
        return CipherJson.Result(cipher);
    }

    private static async Task<IResult> SoftDelete(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var cipher = await db.Ciphers.SingleOrDefaultAsync(c => c.Id == id && c.UserId == userId, ct);
        if (cipher is null)
        {
            return CipherNotFound();
        }

        cipher.DeletedDate ??= changes.Now;
        cipher.Revise(changes.Now);
        changes.Record(EventType.CipherSoftDeleted, userId, cipher.Id);
        // The item still exists, in the trash: an update, as upstream sends (notifications doc §9).
        changes.Notify(PushType.SyncCipherUpdate, userId, cipher.Id, cipher.RevisionDate);
        await changes.CommitAsync(userId, ct);
        return Results.Ok();
    }

    private static async Task<IResult> Restore(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var cipher = await db.Ciphers.SingleOrDefaultAsync(c => c.Id == id && c.UserId == userId, ct);
        if (cipher is null)
        {
            return CipherNotFound();
        }

        cipher.DeletedDate = null;
        cipher.Revise(changes.Now);
        changes.Record(EventType.CipherRestored, userId, cipher.Id);
        changes.Notify(PushType.SyncCipherUpdate, userId, cipher.Id, cipher.RevisionDate);
        await changes.CommitAsync(userId, ct);
        return CipherJson.Result(cipher);
    }

    private static async Task<IResult> Delete(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var cipher = await db.Ciphers.SingleOrDefaultAsync(c => c.Id == id && c.UserId == userId, ct);
        if (cipher is null)
        {
            return CipherNotFound();
        }

        db.Ciphers.Remove(cipher);
        changes.Record(EventType.CipherDeleted, userId, cipher.Id);
        changes.Notify(PushType.SyncLoginDelete, userId, cipher.Id);
        await changes.CommitAsync(userId, ct);
        return Results.Ok();
    }

    /// <summary>Parses and checks a requested folder id: "" and null mean no folder; another user's folder is 404.</summary>
    internal static async Task<(Guid? Id, IResult? Error)> ResolveFolder(string? raw, Guid userId, CofferDb db, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return (null, null);
        }

        if (!Guid.TryParse(raw, out var folderId))
        {
            return (null, BitwardenErrors.BadRequest("folderId is not a valid id.", "folderId"));
        }

        return await db.Folders.AnyAsync(f => f.Id == folderId && f.UserId == userId, ct)
            ? (folderId, null)
            : (null, FolderEndpoints.FolderNotFound());
    }
}
