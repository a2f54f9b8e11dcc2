using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Folders;

/// <summary>Folders (protocol §4.9). Another user's folder id answers 404, never 403.</summary>
public static class FolderEndpoints
{
    private const int MaxNameLength = 1000;

    public static void MapFolders(this IEndpointRouteBuilder api)
    {
        var folders = api.MapGroup("/folders").WithTags("Folders");
        folders.MapGet("", List).Produces<ListResponseModel<FolderResponseModel>>();
        folders.MapGet("/{id}", Get).Produces<FolderResponseModel>();
        folders.MapPost("", Create).Produces<FolderResponseModel>();
        folders.MapPut("/{id}", Update).Produces<FolderResponseModel>();
        folders.MapPost("/{id}", Update).Produces<FolderResponseModel>().WithSummary("Alias of PUT");
        folders.MapDelete("/{id}", Delete);
        folders.MapPost("/{id}/delete", Delete).WithSummary("Alias of DELETE");
    }

    internal static FolderResponseModel ToResponse(Folder folder) =>
        new() { Id = folder.Id, Name = folder.Name, RevisionDate = folder.RevisionDate };

    private static async Task<IResult> List(ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var folders = await db.Folders.AsNoTracking().Where(f => f.UserId == userId).OrderBy(f => f.Id).ToListAsync(ct);
        return Results.Json(new ListResponseModel<FolderResponseModel> { Data = folders.ConvertAll(ToResponse) }, CofferJson.Options);
    }

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var folder = await db.Folders.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id && f.UserId == userId, ct);
        return folder is null ? FolderNotFound() : Results.Json(ToResponse(folder), CofferJson.Options);
    }

    private static async Task<IResult> Create(FolderRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (ValidateName(request) is { } invalid)
        {
            return invalid;
        }

        var userId = principal.UserId();
        var folder = new Folder { Id = Guid.NewGuid(), UserId = userId, Name = request.Name!, CreationDate = changes.Now, RevisionDate = changes.Now };
        db.Folders.Add(folder);
        changes.Notify(PushType.SyncFolderCreate, userId, folder.Id, folder.RevisionDate);
        await changes.CommitAsync(userId, ct);
        return Results.Json(ToResponse(folder), CofferJson.Options);
    }

    private static async Task<IResult> Update(Guid id, FolderRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (ValidateName(request) is { } invalid)
        {
            return invalid;
        }

        var userId = principal.UserId();
        var folder = await db.Folders.SingleOrDefaultAsync(f => f.Id == id && f.UserId == userId, ct);
        if (folder is null)
        {
            return FolderNotFound();
        }

        folder.Name = request.Name!;
        folder.RevisionDate = changes.Now;
        changes.Notify(PushType.SyncFolderUpdate, userId, folder.Id, folder.RevisionDate);
        await changes.CommitAsync(userId, ct);
        return Results.Json(ToResponse(folder), CofferJson.Options);
    }

    private static async Task<IResult> Delete(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var folder = await db.Folders.SingleOrDefaultAsync(f => f.Id == id && f.UserId == userId, ct);
        if (folder is null)
        {
            return FolderNotFound();
        }

        // Items in the folder stay, with no folder (protocol §4.9); the foreign key sets their folder id to null.
        db.Folders.Remove(folder);
        changes.Notify(PushType.SyncFolderDelete, userId, folder.Id);
        await changes.CommitAsync(userId, ct);
        return Results.Ok();
    }

    private static IResult? ValidateName(FolderRequestModel request) =>
        WireValidation.IsSymmetricEncString(request.Name) && request.Name!.Length <= MaxNameLength
            ? null
            : BitwardenErrors.BadRequest("The folder name must be an EncString (type 2).", "name");

    internal static IResult FolderNotFound() => BitwardenErrors.NotFound("Folder doesn't exist.");
}
