using System.Security.Claims;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Coffer.Server.Organizations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Admin;

/// <summary><c>/admin/api/settings</c>, <c>/admin/api/events</c> and <c>/admin/api/audit/verify</c>.</summary>
public static class AdminSettingsEndpoints
{
    public static void MapAdminSettings(this IEndpointRouteBuilder admin)
    {
        admin.MapGet("/settings", GetSettings).WithSummary("Server settings (registration mode, organization creation)");
        admin.MapPut("/settings", PutSettings).WithSummary("Change the registration mode: open, invite or closed");
        admin.MapGet("/events", Events).WithSummary("All audit events, newest first, 100 per page (start, end, userId, continuationToken)");
        admin.MapGet("/audit/verify", Verify).WithSummary("Check the audit log's hash chain; names the first broken event");
    }

    private static async Task<Ok<AdminSettingsModel>> GetSettings(CofferDb db, IOptions<ServerOptions> options, CancellationToken ct) =>
        TypedResults.Ok(new AdminSettingsModel(await db.GetRegistrationModeAsync(options.Value, ct), options.Value.RegistrationMode, await OrganizationCreation.GetAsync(db, ct)));

    private static async Task<Results<Ok<AdminSettingsModel>, ProblemHttpResult>> PutSettings(
        UpdateSettingsRequest request, ClaimsPrincipal principal, CofferDb db, Changes changes, IOptions<ServerOptions> options, CancellationToken ct)
    {
        if (!RegistrationModes.IsValid(request.RegistrationMode))
        {
            return TypedResults.Problem(detail: "registrationMode must be open, invite or closed.", statusCode: StatusCodes.Status400BadRequest);
        }

        var before = await db.GetRegistrationModeAsync(options.Value, ct);
        var setting = await db.ServerSettings.SingleOrDefaultAsync(s => s.Name == RegistrationModes.SettingName, ct);
        if (setting is null)
        {
            db.ServerSettings.Add(new ServerSetting { Name = RegistrationModes.SettingName, Value = request.RegistrationMode! });
        }
        else
        {
            setting.Value = request.RegistrationMode!;
        }

        changes.Record(EventType.AdminChangedRegistrationMode, null, actingUserId: principal.UserId(), detail: $"{before} -> {request.RegistrationMode}");
        await changes.CommitAsync(ct: ct);
        return TypedResults.Ok(new AdminSettingsModel(request.RegistrationMode!, options.Value.RegistrationMode, await OrganizationCreation.GetAsync(db, ct)));
    }

    private static async Task<Results<Ok<AdminEventPage>, ProblemHttpResult>> Events(
        string? start, string? end, Guid? userId, string? continuationToken, CofferDb db, TimeProvider time, CancellationToken ct)
    {
        var (query, error) = EventQuery.Parse(start, end, continuationToken, time.GetUtcNow().UtcDateTime);
        if (query is null)
        {
            return TypedResults.Problem(detail: error, statusCode: StatusCodes.Status400BadRequest);
        }

        var events = db.AuditEvents.AsNoTracking();
        if (userId is { } id)
        {
            events = events.Where(e => e.UserId == id || e.ActingUserId == id);
        }

        var page = await query.Apply(events).ToListAsync(ct);
        var next = EventQuery.NextToken(page);
        return TypedResults.Ok(new AdminEventPage(
            page.ConvertAll(e => new AdminEventModel(e.Sequence, e.Date, (int)e.Type, e.Type.ToString(), e.UserId, e.ActingUserId, e.DeviceId, e.DeviceType, e.CipherId, e.IpAddress, e.Detail)),
            next));
    }

    private static async Task<Ok<AuditVerificationModel>> Verify(CofferDb db, AuditChain chain, AuditCheckpoints checkpoints, CancellationToken ct)
    {
        // Against the newest checkpoint; writing one is left to the background job and the audit verify command.
        var result = await AuditVerifier.VerifyAsync(db, chain, checkpoints, null, null, ct);
        var broken = result.FirstBroken;
        return TypedResults.Ok(new AuditVerificationModel(result.Checked, result.Intact, broken?.EventId, broken?.Reason, result.Chains, broken?.Chain, broken?.Position, result.Checkpoint));
    }
}
