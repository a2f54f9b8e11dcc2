using System.Security.Claims;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Admin;

/// <summary>
/// <c>/admin/api/organizations</c> and the organization creation setting (issue 11 point 12). The admin sees
/// an organization's name (plain text on the wire and in the database, doc §1.1) and counts, never a collection
/// name or an item: those are ciphertext under a key the server does not have.
/// </summary>
public static class AdminOrganizationEndpoints
{
    public static void MapAdminOrganizations(this IEndpointRouteBuilder admin)
    {
        admin.MapGet("/organizations", List).WithSummary("All organizations with member, collection and item counts; never contents");
        admin.MapDelete("/organizations/{id:guid}", Delete).WithSummary("Delete an organization with its items, collections, groups, policies and memberships");
        admin.MapPut("/settings/organization-creation", PutCreation).WithSummary("Who may create organizations: everyone or admins");
    }

    private static async Task<Ok<List<AdminOrganizationModel>>> List(CofferDb db, CancellationToken ct)
    {
        // Correlated counts in one query, whatever the number of organizations.
        var rows = await db.Organizations.AsNoTracking().OrderBy(o => o.CreationDate).ThenBy(o => o.Id)
            .Select(o => new AdminOrganizationModel(
                o.Id,
                o.Name,
                o.CreationDate,
                db.Memberships.Count(m => m.OrganizationId == o.Id && m.Status == MembershipStatus.Confirmed),
                db.Memberships.Count(m => m.OrganizationId == o.Id && m.Status != MembershipStatus.Confirmed),
                db.Collections.Count(c => c.OrganizationId == o.Id),
                db.Ciphers.Count(c => c.OrganizationId == o.Id),
                db.Memberships.Where(m => m.OrganizationId == o.Id && m.Type == MembershipType.Owner && m.Status == MembershipStatus.Confirmed)
                    .OrderBy(m => m.Email).Select(m => m.Email).ToList()))
            .ToListAsync(ct);
        return TypedResults.Ok(rows);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await db.Organizations.SingleOrDefaultAsync(o => o.Id == id, ct) is not { } organization)
        {
            return TypedResults.Problem(detail: "No organization has this id.", statusCode: StatusCodes.Status404NotFound);
        }

        var members = await db.Memberships.AsNoTracking().Where(m => m.OrganizationId == id && m.UserId != null)
            .Select(m => m.UserId!.Value).ToListAsync(ct);
        // Items, collections, their access rows, groups, policies and memberships go with the row (ON DELETE CASCADE).
        db.Organizations.Remove(organization);
        changes.RecordOrganization(EventType.OrganizationDeleted, id, detail: $"by a server admin: {organization.Name}");
        foreach (var member in members)
        {
            // Each member's devices drop the organization's key and items at once (doc §10).
            changes.Notify(PushType.SyncOrgKeys, member, excludeActingDevice: false);
        }

        await changes.CommitAsync(members, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AdminSettingsModel>, ProblemHttpResult>> PutCreation(
        UpdateOrganizationCreationRequest request, ClaimsPrincipal principal, CofferDb db, Changes changes, IOptions<ServerOptions> options, CancellationToken ct)
    {
        if (!OrganizationCreation.IsValid(request.OrganizationCreation))
        {
            return TypedResults.Problem(detail: "organizationCreation must be everyone or admins.", statusCode: StatusCodes.Status400BadRequest);
        }

        var before = await OrganizationCreation.SetAsync(db, request.OrganizationCreation!, ct);
        changes.Record(EventType.AdminChangedOrganizationCreation, null, actingUserId: principal.UserId(), detail: $"{before} -> {request.OrganizationCreation}");
        await changes.CommitAsync(ct: ct);
        return TypedResults.Ok(new AdminSettingsModel(await db.GetRegistrationModeAsync(options.Value, ct), options.Value.RegistrationMode, request.OrganizationCreation!));
    }
}
