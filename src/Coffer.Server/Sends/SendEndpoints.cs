using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Files;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Sends;

/// <summary>
/// Send, the owner's side (<c>bitwarden-sharing-features.md</c> §3.4–§3.7): create a text Send, create a file Send
/// and upload its file, edit, delete, remove the password, list and read. Every route is the owner's alone: another
/// user's Send id answers 404, never 403 (S-1, S-2). Each change bumps the account revision date and pushes
/// <c>SyncSendCreate</c>/<c>Update</c>/<c>Delete</c> (12/13/14, §3.12) to the owner's other devices.
/// </summary>
public static class SendEndpoints
{
    public const string NotFoundMessage = "Send does not exist.";

    /// <summary>The recipients' shared checks (<see cref="SendAccess"/>), one per request.</summary>
    public static IServiceCollection AddSends(this IServiceCollection services) => services.AddScoped<SendAccess>();

    public static void MapSends(this IEndpointRouteBuilder api)
    {
        var sends = api.MapGroup("/sends").WithTags("Sends");
        sends.MapGet("", List).Produces(200, contentType: "application/json").WithSummary("The caller's Sends, as in sync");
        sends.MapGet("/{id:guid}", Get).Produces(200, contentType: "application/json").WithSummary("One of the caller's Sends");
        sends.MapPost("", CreateText).Produces(200, contentType: "application/json").WithSummary("Create a text Send (§3.4)");
        sends.MapPost("/file/v2", CreateFile).Produces(200, contentType: "application/json")
            .WithSummary("Create a file Send and reserve its upload (§3.5); answers fileUploadType 0 and the Send with file.id");
        sends.MapPost("/{id:guid}/file/{fileId}", Upload).AcceptsFileUpload().DisableAntiforgery()
            .WithSummary("Upload a file Send's encrypted file (multipart part \"data\"), once, exactly the declared length");
        sends.MapPut("/{id:guid}", Update).Produces(200, contentType: "application/json")
            .WithSummary("Edit a Send; the password changes only when one is sent (authType 2 alone keeps it, §3.6)");
        sends.MapDelete("/{id:guid}", Delete).WithSummary("Delete a Send and its file");
        sends.MapPut("/{id:guid}/remove-password", RemovePassword).Produces(200, contentType: "application/json").WithSummary("Remove a Send's password");
        sends.MapPut("/{id:guid}/remove-auth", RemovePassword).Produces(200, contentType: "application/json").WithSummary("Alias of remove-password");
    }

    /// <summary>The recipients' routes, reached without a user's access token (<see cref="SendAccessEndpoints"/>).</summary>
    public static void MapSendAccess(this IEndpointRouteBuilder app) => SendAccessEndpoints.Map(app);

    private static async Task<IResult> List(ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var sends = await db.Sends.AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.CreationDate).ThenBy(s => s.Id).ToListAsync(ct);
        return SendJson.ListResult(sends);
    }

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var send = await db.Sends.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && s.UserId == userId, ct);
        return send is null ? NotFound() : SendJson.Result(send);
    }

    private static async Task<IResult> CreateText(SendRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, PasswordHashing hashing, CancellationToken ct)
    {
        if (request.Type == 1)
        {
            return BitwardenErrors.BadRequest(SendValidation.FileOnTextRoute, "type");
        }

        var userId = principal.UserId();
        if (await CheckAsync(request, 0, userId, db, changes, ct) is { } invalid)
        {
            return invalid;
        }

        var send = await NewSendAsync(request, userId, 0, "{}", changes, hashing);
        db.Sends.Add(send);
        changes.Notify(PushType.SyncSendCreate, userId, send.Id, send.RevisionDate);
        await changes.CommitAsync(userId, ct);
        return SendJson.Result(send);
    }

    private static async Task<IResult> CreateFile(
        SendRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, PasswordHashing hashing, StorageQuota quota, IOptions<ServerOptions> options, CancellationToken ct)
    {
        if (request.Type != 1)
        {
            return BitwardenErrors.BadRequest("Text sends should use /api/sends.", "type");
        }

        var userId = principal.UserId();
        if (await CheckAsync(request, 1, userId, db, changes, ct) is { } invalid)
        {
            return invalid;
        }

        var maxBytes = options.Value.Files.MaxFileBytes;
        if (request.FileLength is not { } length || length < EncArrayBuffer.MinimumLength)
        {
            return BitwardenErrors.BadRequest("Invalid send length: fileLength must be the size of the encrypted file in bytes.", "fileLength");
        }

        if (length > maxBytes)
        {
            return BitwardenErrors.BadRequest($"Max file size is {maxBytes / (1024 * 1024)} MB.", "fileLength");
        }

        if (!await quota.FitsAsync(userId, null, length, ct))
        {
            return BitwardenErrors.BadRequest(StorageQuota.Exceeded, "fileLength");
        }

        var send = await NewSendAsync(request, userId, 1, SendValidation.FileData(request), changes, hashing);
        send.FileId = Attachment.NewId();
        send.FileSize = length;
        db.Sends.Add(send);
        // Checked again inside the commit, so two file Sends racing for the last free bytes cannot both be created.
        quota.RequireFits(changes, userId, null, length);
        try
        {
            // No push yet: the Send becomes useful, and is announced, once its file has arrived (§3.12).
            await changes.CommitAsync(userId, ct);
        }
        catch (ChangeRefusedException)
        {
            return BitwardenErrors.BadRequest(StorageQuota.Exceeded, "fileLength");
        }

        return SendJson.UploadResult(send);
    }

    private static async Task<IResult> Upload(Guid id, string fileId, HttpRequest httpRequest, ClaimsPrincipal principal, CofferDb db, Changes changes, IBlobStore store, CancellationToken ct)
    {
        var userId = principal.UserId();
        var send = await db.Sends.SingleOrDefaultAsync(s => s.Id == id && s.UserId == userId && s.Type == 1, ct);
        if (send is null || send.FileId != fileId)
        {
            return NotFound();
        }

        if (send.FileUploaded)
        {
            return BitwardenErrors.BadRequest("The file of this Send has already been uploaded.", "data");
        }

        // The declared length is the cap: a longer upload stops as soon as it passes it (S-3), and quota was counted with it.
        var declared = send.FileSize ?? 0;
        var result = await FileUpload.ReadAsync(httpRequest, store, BlobKeys.SendFile(send.Id, send.FileId), declared, ct);
        if (result.Staged is not { } staged)
        {
            return BitwardenErrors.BadRequest(result.TooLarge ? "The file is larger than the Send's declared fileLength." : result.Error!, "data");
        }

        if (staged.Length != declared)
        {
            await store.DiscardAsync(staged);
            return BitwardenErrors.BadRequest("The file's size does not match the Send's declared fileLength.", "data");
        }

        try
        {
            await store.CommitAsync(staged, ct);
        }
        catch (BlobExistsException)
        {
            // A second upload racing the first one into the same Send.
            return BitwardenErrors.BadRequest("The file of this Send has already been uploaded.", "data");
        }

        send.FileUploaded = true;
        send.RevisionDate = changes.Now;
        changes.Notify(PushType.SyncSendCreate, userId, send.Id, send.RevisionDate);
        await changes.CommitAsync(userId, ct);
        return Results.Ok();
    }

    private static async Task<IResult> Update(Guid id, SendRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, PasswordHashing hashing, CancellationToken ct)
    {
        var userId = principal.UserId();
        var send = await db.Sends.SingleOrDefaultAsync(s => s.Id == id && s.UserId == userId, ct);
        if (send is null)
        {
            return NotFound();
        }

        if (request.Type is { } type && type != send.Type)
        {
            return BitwardenErrors.BadRequest("Sends can't change type.", "type");
        }

        if (await CheckAsync(request, send.Type, userId, db, changes, ct) is { } invalid)
        {
            return invalid;
        }

        SendValidation.Apply(request, send, changes.Now);
        // authType 2 without a password is what `bw send edit` sends for a Send whose password it never loaded (§3.6,
        // pitfall 17): the password stays unless a new one is sent; removing it has its own route.
        if (!string.IsNullOrEmpty(request.Password))
        {
            send.PasswordHash = await hashing.HashAsync(request.Password);
        }

        send.AuthType = send.PasswordHash is null ? 2 : 1;
        changes.Notify(PushType.SyncSendUpdate, userId, send.Id, send.RevisionDate);
        await changes.CommitAsync(userId, ct);
        return SendJson.Result(send);
    }

    private static async Task<IResult> Delete(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var send = await db.Sends.SingleOrDefaultAsync(s => s.Id == id && s.UserId == userId, ct);
        if (send is null)
        {
            return NotFound();
        }

        // Removed through tracking, so the commit deletes its file too (Files/BlobCleanup).
        db.Sends.Remove(send);
        changes.Notify(PushType.SyncSendDelete, userId, send.Id, changes.Now);
        await changes.CommitAsync(userId, ct);
        return Results.Ok();
    }

    private static async Task<IResult> RemovePassword(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var send = await db.Sends.SingleOrDefaultAsync(s => s.Id == id && s.UserId == userId, ct);
        if (send is null)
        {
            return NotFound();
        }

        if (await PolicyEnforcement.CheckSendAsync(db, userId, send.HideEmail, ct) is { } refused)
        {
            return BitwardenErrors.BadRequest(refused);
        }

        send.PasswordHash = null;
        send.AuthType = 2;
        send.RevisionDate = changes.Now;
        changes.Notify(PushType.SyncSendUpdate, userId, send.Id, send.RevisionDate);
        await changes.CommitAsync(userId, ct);
        return SendJson.Result(send);
    }

    /// <summary>The request's syntax and dates (<see cref="SendValidation"/>), then the organization policies that bind the owner.</summary>
    private static async Task<IResult?> CheckAsync(SendRequestModel request, int type, Guid userId, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (SendValidation.Check(request, type, changes.Now) is { } invalid)
        {
            return invalid;
        }

        return await PolicyEnforcement.CheckSendAsync(db, userId, request.HideEmail ?? false, ct) is { } refused
            ? BitwardenErrors.BadRequest(refused)
            : null;
    }

    private static async Task<Send> NewSendAsync(SendRequestModel request, Guid userId, int type, string data, Changes changes, PasswordHashing hashing)
    {
        var send = new Send
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Type = type,
            Name = request.Name!,
            Key = request.Key!,
            // A text Send's content is set by Apply below; a file Send's is its file name, which never changes.
            Data = data,
            CreationDate = changes.Now,
        };
        SendValidation.Apply(request, send, changes.Now);
        // The client's hash is hashed again (Identity/PasswordHashing, Argon2id with a random salt): a stolen database
        // must not hold the value that opens the Send (§3.3).
        send.PasswordHash = string.IsNullOrEmpty(request.Password) ? null : await hashing.HashAsync(request.Password);
        send.AuthType = send.PasswordHash is null ? 2 : 1;
        return send;
    }

    internal static IResult NotFound() => BitwardenErrors.NotFound(NotFoundMessage);
}
