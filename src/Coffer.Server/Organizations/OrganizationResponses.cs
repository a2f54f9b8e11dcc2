using System.Text.Json.Nodes;
using Coffer.Protocol.Api;
using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>The organization wire shapes shared by several routes: profile and sync entries, the organization object, policies.</summary>
public static class OrganizationResponses
{
    /// <summary>
    /// The <c>profile.organizations[]</c> entries of <paramref name="userId"/> (doc §7.1) in one query: Confirmed
    /// memberships only, each with its type-4 key, so no entry ever lacks one (pitfalls P2, P6, P8).
    /// </summary>
    public static async Task<IReadOnlyList<ProfileOrganizationResponseModel>> ProfileOrganizationsAsync(CofferDb db, Guid userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await (
                from membership in db.Memberships
                join organization in db.Organizations on membership.OrganizationId equals organization.Id
                where membership.UserId == userId && membership.Status == MembershipStatus.Confirmed && membership.Key != null
                orderby organization.Name, organization.Id
                select new { membership, organization })
            .AsNoTracking().ToListAsync(ct);
        return [.. rows.Select(r => ProfileOrganization(r.organization, r.membership))];
    }

    /// <summary>One <c>profileOrganization</c> entry for a Confirmed membership.</summary>
    public static ProfileOrganizationResponseModel ProfileOrganization(Organization organization, Membership membership)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(membership);
        var permissions = MemberAccess.ReadPermissions(membership);
        var access = new MemberAccess(membership, permissions);
        return new ProfileOrganizationResponseModel
        {
            Id = organization.Id,
            Name = organization.Name,
            Key = membership.Key ?? throw new InvalidOperationException("Only Confirmed memberships, which hold a key, are listed."),
            Status = (int)membership.Status,
            Type = (int)membership.Type,
            OrganizationUserId = membership.Id,
            UserId = membership.UserId ?? Guid.Empty,
            Permissions = permissions,
            HasPublicAndPrivateKeys = organization.PublicKey is not null && organization.PrivateKey is not null,
            // The clients hide "New collection" from those who may not create one (doc §7.1).
            LimitCollectionCreation = !access.CanCreateCollections,
            LimitCollectionDeletion = !access.CanDeleteAnyCollection,
        };
    }

    /// <summary>The <c>organization</c> object (doc §3.1).</summary>
    public static OrganizationResponseModel Organization(Organization organization)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return new OrganizationResponseModel
        {
            Id = organization.Id,
            Name = organization.Name,
            BillingEmail = organization.BillingEmail,
            BusinessName = organization.Name,
            HasPublicAndPrivateKeys = organization.PublicKey is not null && organization.PrivateKey is not null,
        };
    }

    /// <summary>A policy as sync and the policy routes return it (doc §1.6).</summary>
    public static PolicyResponseModel Policy(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new PolicyResponseModel
        {
            Id = policy.Id,
            OrganizationId = policy.OrganizationId,
            Type = (int)policy.Type,
            Data = policy.Data is null ? null : JsonNode.Parse(policy.Data) as JsonObject,
            Enabled = policy.Enabled,
            RevisionDate = policy.RevisionDate,
        };
    }

    /// <summary>Serializes a policy's <c>data</c> object for storage.</summary>
    public static string? PolicyData(JsonObject? data) => data?.ToJsonString(CofferJson.Options);
}
