using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Audit;

/// <summary>
/// A user's reads of their own audit events (protocol account doc §5.1) and the client event upload (§5.2).
/// Bitwarden routes: Bitwarden error JSON, and 404 (never 403) for another user's item.
/// </summary>
public static class EventEndpoints
{
    public static void MapEvents(this IEndpointRouteBuilder api)
    {
        api.MapGet("/events", UserEvents).WithTags("Events").Produces<ListResponseModel<EventResponseModel>>()
            .WithSummary("Your own events, newest first, 100 per page (start, end, continuationToken; default the last 30 days)");
        api.MapGet("/ciphers/{id:guid}/events", CipherEvents).WithTags("Events").Produces<ListResponseModel<EventResponseModel>>()
            .WithSummary("Events of one of your items");
    }

    /// <summary>
    /// <c>POST /events/collect</c>. Clients send these only for organisations with event logging, which Coffer
    /// does not have, so the batch is accepted and dropped: the answer must be exactly 200 or the client queues
    /// the batch and retries forever. Storing it would also let any account write client-chosen claims into
    /// the tamper-evident log.
    /// </summary>
    public static void MapEventCollection(this IEndpointRouteBuilder app)
    {
        app.MapPost("/events/collect", () => Results.Ok()).RequireAuthorization().DisableAntiforgery()
            .WithTags("Events").WithSummary("Client-side events: accepted and discarded (personal vaults log server-side)");
    }

    private static async Task<IResult> UserEvents(string? start, string? end, string? continuationToken, ClaimsPrincipal principal, CofferDb db, TimeProvider time, CancellationToken ct)
    {
        var userId = principal.UserId();
        return await Page(db.AuditEvents.AsNoTracking().Where(e => e.UserId == userId), start, end, continuationToken, time, ct);
    }

    private static async Task<IResult> CipherEvents(Guid id, string? start, string? end, string? continuationToken, ClaimsPrincipal principal, CofferDb db, TimeProvider time, CancellationToken ct)
    {
        var userId = principal.UserId();
        if (!await db.Ciphers.AnyAsync(c => c.Id == id && c.UserId == userId, ct))
        {
            return BitwardenErrors.NotFound("Cipher doesn't exist.");
        }

        return await Page(db.AuditEvents.AsNoTracking().Where(e => e.CipherId == id && e.UserId == userId), start, end, continuationToken, time, ct);
    }

    internal static async Task<IResult> Page(IQueryable<AuditEvent> events, string? start, string? end, string? continuationToken, TimeProvider time, CancellationToken ct)
    {
        var (query, error) = EventQuery.Parse(start, end, continuationToken, time.GetUtcNow().UtcDateTime);
        if (query is null)
        {
            return BitwardenErrors.BadRequest(error!);
        }

        var page = await query.Apply(events).ToListAsync(ct);
        var next = EventQuery.NextToken(page);
        return Results.Json(
            new ListResponseModel<EventResponseModel> { Data = page.ConvertAll(ToResponse), ContinuationToken = next },
            CofferJson.Options);
    }

    private static EventResponseModel ToResponse(AuditEvent e) => new()
    {
        Type = (int)e.Type,
        UserId = e.UserId,
        OrganizationId = e.OrganizationId,
        CollectionId = e.CollectionId,
        GroupId = e.GroupId,
        PolicyId = e.PolicyId,
        OrganizationUserId = e.MembershipId,
        ActingUserId = e.ActingUserId ?? e.UserId,
        CipherId = e.CipherId,
        Date = e.Date,
        DeviceType = e.DeviceType,
        IpAddress = e.IpAddress,
    };
}
