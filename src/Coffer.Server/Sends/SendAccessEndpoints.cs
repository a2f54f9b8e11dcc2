using System.Text.RegularExpressions;
using Coffer.Protocol.Api;
using Coffer.Server.Abuse;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Files;
using Coffer.Server.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace Coffer.Server.Sends;

/// <summary>
/// Send, the recipient's side (<c>bitwarden-sharing-features.md</c> §3.8, §3.9), all reached without a user's access
/// token: the token flow of current clients (<c>POST /api/sends/access</c> and <c>…/access/file/{fileId}</c> with the
/// Bearer token of the <c>send_access</c> grant, <see cref="SendAccessGrant"/>), the legacy anonymous routes of older
/// clients (the Send password in the body, rate limited per address), and the file download, authorized by the
/// short-lived token in its URL alone. A user's access token is no Send token (S-9) and a Send token opens one Send
/// (S-10). Text Sends are counted when their content is read, file Sends when their download URL is issued
/// (upstream's choice, §3.8), both through <see cref="SendAccess.CountAsync"/>.
/// </summary>
public static partial class SendAccessEndpoints
{
    /// <summary>How long a file download URL works (§1.3: 2 minutes, as Vaultwarden).</summary>
    public static readonly TimeSpan DownloadLifetime = TimeSpan.FromMinutes(2);

    public const string Unavailable = "Send does not exist or is no longer available";

    internal static void Map(IEndpointRouteBuilder app)
    {
        var sends = app.MapGroup("/api/sends").AllowAnonymous().WithTags("Send access");
        sends.MapPost("/access", Access).DisableAntiforgery().Produces(200, contentType: "application/json")
            .WithSummary("The Send of the Bearer Send access token (grant_type=send_access): encrypted name and content, object send-access");
        sends.MapPost("/access/file/{fileId}", AccessFile).DisableAntiforgery().Produces<SendFileDownloadDataResponseModel>()
            .WithSummary("A 2-minute download URL for the file of the Send of the Bearer Send access token");
        sends.MapPost("/access/{accessId}", LegacyAccess).RateLimited(RateLimitFamily.SendAccess).DisableAntiforgery().Produces(200, contentType: "application/json")
            .WithSummary("Legacy: a Send by access id, its password hash in the body; 401 when a password is needed, 400 when wrong");
        sends.MapPost("/{id}/access/file/{fileId}", LegacyAccessFile).RateLimited(RateLimitFamily.SendAccess).DisableAntiforgery()
            .Produces<SendFileDownloadDataResponseModel>()
            .WithSummary("Legacy: a download URL for a Send's file ({id} the Send id or access id), its password hash in the body");
        sends.MapGet("/{id:guid}/{fileId}", Download).Produces(200, contentType: "application/octet-stream")
            .WithSummary("A Send's encrypted file; the t query parameter from a send-fileDownload URL is the only authorization");
    }

    private static async Task<IResult> Access(HttpRequest request, SendAccess access, ScopedTokens tokens, CancellationToken ct)
    {
        if (await SendOfTokenAsync(request, tokens) is not { } sendId)
        {
            return BitwardenErrors.Unauthorized("A Send access token is required.");
        }

        // The token may be two minutes old: availability is checked again on every call (§3.8).
        if (await access.FindAvailableAsync(sendId, ct) is not { } send || (send.Type == 0 && !await access.CountAsync(send, ct)))
        {
            return BitwardenErrors.NotFound(Unavailable);
        }

        return SendJson.AccessResult(send, await access.CreatorAsync(send, ct));
    }

    private static async Task<IResult> AccessFile(string fileId, HttpRequest request, SendAccess access, ScopedTokens tokens, CancellationToken ct)
    {
        if (await SendOfTokenAsync(request, tokens) is not { } sendId)
        {
            return BitwardenErrors.Unauthorized("A Send access token is required.");
        }

        var send = await access.FindAvailableAsync(sendId, ct);
        return await DownloadDataAsync(send, fileId, request, access, tokens, ct);
    }

    private static async Task<IResult> LegacyAccess(
        string accessId, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] SendAccessRequestModel? body,
        SendAccess access, CancellationToken ct)
    {
        var send = await access.FindAvailableAsync(SendAccessId.Decode(accessId), ct);
        if (send is null)
        {
            return BitwardenErrors.NotFound(Unavailable);
        }

        if (await LegacyPasswordAsync(send, body, access, ct) is { } refused)
        {
            return refused;
        }

        if (send.Type == 0 && !await access.CountAsync(send, ct))
        {
            return BitwardenErrors.NotFound(Unavailable);
        }

        return SendJson.AccessResult(send, await access.CreatorAsync(send, ct));
    }

    private static async Task<IResult> LegacyAccessFile(
        string id, string fileId, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] SendAccessRequestModel? body,
        HttpRequest request, SendAccess access, ScopedTokens tokens, CancellationToken ct)
    {
        // {id} is whatever the access answer's id was: Coffer's is the access id, older servers' the GUID (§3.9).
        var sendId = Guid.TryParseExact(id, "D", out var guid) ? guid : SendAccessId.Decode(id);
        var send = await access.FindAvailableAsync(sendId, ct);
        if (send is null)
        {
            return BitwardenErrors.NotFound(Unavailable);
        }

        return await LegacyPasswordAsync(send, body, access, ct) ?? await DownloadDataAsync(send, fileId, request, access, tokens, ct);
    }

    private static async Task<IResult> Download(Guid id, string fileId, string? t, CofferDb db, ScopedTokens tokens, IBlobStore store, TimeProvider time, CancellationToken ct)
    {
        // The token names the Send and file it was issued for; the path must name the same (S-11). The file id is
        // checked before it reaches a blob key, so `..`, `%2F` and the like end here (S-13).
        if (!IsFileId(fileId) || await tokens.ValidateAsync(ScopedTokens.SendDownload, t) is not { } token || token.Subject != $"{id:D}/{fileId}")
        {
            return BitwardenErrors.NotFound(Unavailable);
        }

        // The access was counted when the URL was issued; only a Send deleted or disabled since then refuses it now.
        var now = time.GetUtcNow().UtcDateTime;
        var send = await db.Sends.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && s.FileId == fileId && s.FileUploaded, ct);
        if (send is null || send.Disabled || now >= send.DeletionDate || await store.OpenReadAsync(BlobKeys.SendFile(id, fileId), ct) is not { } content)
        {
            return BitwardenErrors.NotFound(Unavailable);
        }

        return new BlobResult(content);
    }

    /// <summary>For a file Send with file <paramref name="fileId"/>: counts the access and answers a short-lived absolute download URL.</summary>
    private static async Task<IResult> DownloadDataAsync(Send? send, string fileId, HttpRequest request, SendAccess access, ScopedTokens tokens, CancellationToken ct)
    {
        if (send is null || send.Type != 1 || send.FileId != fileId || !await access.CountAsync(send, ct))
        {
            return BitwardenErrors.NotFound(Unavailable);
        }

        var token = tokens.Create(ScopedTokens.SendDownload, $"{send.Id:D}/{fileId}", DownloadLifetime);
        var url = $"{PublicUrl.Origin(request)}/api/sends/{send.Id:D}/{fileId}?t={Uri.EscapeDataString(token)}";
        return Results.Json(new SendFileDownloadDataResponseModel { Id = fileId, Url = url }, CofferJson.Options);
    }

    /// <summary>The legacy routes' password answers (§3.9): 401 when one is needed and absent (clients then ask), 400 when wrong.</summary>
    private static async Task<IResult?> LegacyPasswordAsync(Send send, SendAccessRequestModel? body, SendAccess access, CancellationToken ct) =>
        await access.CheckPasswordAsync(send, body?.Password, ct) switch
        {
            SendAccess.PasswordCheck.Missing => BitwardenErrors.Unauthorized("Password not provided"),
            SendAccess.PasswordCheck.Wrong => BitwardenErrors.BadRequest("Invalid password.", "password"),
            _ => null,
        };

    /// <summary>The Send id of a valid Send access token in <c>Authorization: Bearer</c>, else null (a user's access token is not one).</summary>
    private static async Task<Guid?> SendOfTokenAsync(HttpRequest request, ScopedTokens tokens)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return await tokens.ValidateAsync(ScopedTokens.SendAccess, header["Bearer ".Length..].Trim()) is { } token
            && Guid.TryParseExact(token.Subject, "D", out var id) ? id : null;
    }

    private static bool IsFileId(string fileId) => FileIdPattern().IsMatch(fileId);

    [GeneratedRegex("^[a-z0-9]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex FileIdPattern();

    /// <summary>Streams a blob as <c>application/octet-stream</c>, status 200 (the CLI treats anything else as an error, §1.3).</summary>
    private sealed class BlobResult(BlobContent content) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            await using (content)
            {
                var response = httpContext.Response;
                response.ContentType = "application/octet-stream";
                response.ContentLength = content.Length;
                response.Headers[HeaderNames.CacheControl] = "no-store";
                await content.Stream.CopyToAsync(response.Body, httpContext.RequestAborted);
            }
        }
    }
}
