using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Coffer.Protocol.Api;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// Organization routes (<c>bitwarden-organizations.md</c> §0.1 rows 2–8, §2.3, §3): create, read, update, delete,
/// leave, the key pair, and the plan and billing stubs the web vault loads. Bitwarden error JSON; a caller who is not a
/// Confirmed member (or not an Owner where Owners alone may look) gets 404, never 403 (pitfall P10, T0, T2).
/// </summary>
public static partial class OrganizationEndpoints
{
    private const int MaxNameLength = 50;
    private const int MaxEncStringLength = 1000;

    public static void MapOrganizations(this IEndpointRouteBuilder api)
    {
        api.MapGet("/plans", Plans).WithTags("Organizations").WithSummary("One free, unlimited plan: a self-hosted server bills nothing (doc §2.3 (a))");
        var organizations = api.MapGroup("/organizations").WithTags("Organizations");
        organizations.MapPost("", Create).Produces<OrganizationResponseModel>();
        var one = organizations.MapGroup("/{orgId:guid}");
        one.MapGet("", Get).Produces<OrganizationResponseModel>().WithSummary("Owners only");
        one.MapPut("", Update).Produces<OrganizationResponseModel>().WithSummary("Rename, billing e-mail (Owners)");
        one.MapPost("", Update).Produces<OrganizationResponseModel>().WithSummary("Alias of PUT");
        one.MapDelete("", Delete).WithSummary("Delete with its items, collections, members, groups and policies (Owner, master password)");
        one.MapPost("/delete", Delete).WithSummary("Alias of DELETE");
        one.MapPost("/leave", Leave).WithSummary("Leave the organization (not its last owner)");
        one.MapGet("/public-key", PublicKey).Produces<OrganizationPublicKeyResponseModel>();
        one.MapGet("/keys", PublicKey).Produces<OrganizationPublicKeyResponseModel>().WithSummary("Obsolete name of public-key: never the private key (T0)");
        one.MapPost("/keys", SetKeys).Produces<OrganizationKeysResponseModel>().WithSummary("Store the key pair of an organization that has none");
        one.MapGet("/billing/metadata", (Guid orgId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct) =>
            MemberStub(orgId, principal, db, new JsonObject { ["object"] = "list", ["data"] = new JsonArray(), ["continuationToken"] = null }, ct));
        one.MapGet("/billing/vnext/warnings", (Guid orgId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct) =>
            MemberStub(orgId, principal, db, new JsonObject { ["freeTrial"] = null, ["inactiveSubscription"] = null, ["resellerRenewal"] = null, ["taxId"] = null }, ct));
        one.MapGet("/billing/vnext/self-host/metadata", (Guid orgId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct) =>
            MemberStub(orgId, principal, db, new JsonObject { ["isOnSecretsManagerStandalone"] = false, ["organizationOccupiedSeats"] = 0 }, ct));
    }

    internal static IResult OrganizationNotFound() => BitwardenErrors.NotFound("Organization not found.");

    // The organization key wrapped with an RSA public key (doc §2.2); 1,100 characters cover RSA-4096 (684).
    [GeneratedRegex("^4\\.[A-Za-z0-9+/=]{1,1100}$")]
    internal static partial Regex WrappedKey();

    private static IResult Plans()
    {
        // Vaultwarden's list (doc §2.3 (a)): the web vault's plan page needs one plan per product.
        static JsonObject Plan(int product) => new()
        {
            ["object"] = "plan",
            ["type"] = 0,
            ["product"] = product,
            ["name"] = "Free",
            ["nameLocalizationKey"] = "planNameFree",
            ["bitwardenProduct"] = product,
            ["maxUsers"] = 0,
            ["descriptionLocalizationKey"] = "planDescFree",
        };
        return Results.Json(new JsonObject { ["object"] = "list", ["data"] = new JsonArray(Plan(0), Plan(1)), ["continuationToken"] = null });
    }

    private static async Task<IResult> MemberStub(Guid orgId, ClaimsPrincipal principal, CofferDb db, JsonObject body, CancellationToken ct) =>
        await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct) is null ? OrganizationNotFound() : Results.Json(body);

    /// <summary>
    /// <c>POST /api/organizations</c> (doc §2.3): the creator becomes its Confirmed Owner with the posted type-4 key;
    /// the first collection is made from <c>collectionName</c> with the creator able to manage it. Plan and payment
    /// fields are ignored. Refused when the server restricts creation to admins or a SingleOrg policy binds the caller.
    /// </summary>
    private static async Task<IResult> Create(OrganizationCreateRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, ct);
        if (!await OrganizationCreation.IsAllowedAsync(db, user, ct))
        {
            return BitwardenErrors.BadRequest("Only server admins may create organizations on this server.");
        }

        if (ValidateDetails(request.Name, request.BillingEmail, out var billingEmail) is { } invalid)
        {
            return invalid;
        }

        if (request.Key is not { } key || !WrappedKey().IsMatch(key))
        {
            return BitwardenErrors.BadRequest("key must be the organization key wrapped with your public key (an EncString of type 4).", "key");
        }

        if (request.Keys is not null && ValidateKeyPair(request.Keys) is { } badKeys)
        {
            return badKeys;
        }

        if (request.CollectionName is { } collectionName && (collectionName.Length > MaxEncStringLength || !WireValidation.IsSymmetricEncString(collectionName)))
        {
            return BitwardenErrors.BadRequest("collectionName must be an EncString of type 2.", "collectionName");
        }

        // SingleOrg (doc §1.6): a member of an organization that enforces it may not found another.
        var bound = await (
                from membership in db.Memberships
                join policy in db.Policies on membership.OrganizationId equals policy.OrganizationId
                where membership.UserId == userId && (membership.Status == MembershipStatus.Confirmed || membership.Status == MembershipStatus.Accepted)
                    && policy.Type == PolicyType.SingleOrg && policy.Enabled
                select policy.Id)
            .AnyAsync(ct);
        if (bound)
        {
            return BitwardenErrors.BadRequest("You may not create an organization: an organization you belong to has the single organization policy.");
        }

        var now = changes.Now;
        var organization = new Organization
        {
            Id = Guid.NewGuid(),
            Name = request.Name!,
            BillingEmail = billingEmail!,
            PublicKey = request.Keys?.PublicKey,
            PrivateKey = request.Keys?.EncryptedPrivateKey,
            CreationDate = now,
            RevisionDate = now,
        };
        var owner = new Membership
        {
            Id = Guid.NewGuid(),
            OrganizationId = organization.Id,
            UserId = userId,
            Email = user.Email,
            Key = key,
            Status = MembershipStatus.Confirmed,
            Type = MembershipType.Owner,
            CreationDate = now,
            RevisionDate = now,
        };
        db.Organizations.Add(organization);
        db.Memberships.Add(owner);
        changes.RecordOrganization(EventType.OrganizationCreated, organization.Id, userId, membershipId: owner.Id);
        if (request.CollectionName is { } name)
        {
            var collection = new Collection { Id = Guid.NewGuid(), OrganizationId = organization.Id, Name = name, CreationDate = now, RevisionDate = now };
            db.Collections.Add(collection);
            // Upstream gives the creator manage on it, so it stays manageable should they later become a plain member.
            db.CollectionMembers.Add(new CollectionMember { CollectionId = collection.Id, MembershipId = owner.Id, Manage = true });
            changes.RecordOrganization(EventType.CollectionCreated, organization.Id, userId, collectionId: collection.Id);
        }

        // The web vault also refreshes its token and force-syncs; the creator's other devices learn of it here (doc §10).
        changes.Notify(PushType.SyncOrgKeys, userId);
        await changes.CommitAsync([userId], ct);
        return Results.Json(OrganizationResponses.Organization(organization), CofferJson.Options);
    }

    private static async Task<IResult> Get(Guid orgId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        // Owners only (doc §3.1, upstream OrganizationsController); members read their organizations through sync.
        if (await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct) is not { IsOwner: true })
        {
            return OrganizationNotFound();
        }

        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == orgId, ct);
        return Results.Json(OrganizationResponses.Organization(organization), CofferJson.Options);
    }

    /// <summary><c>PUT /api/organizations/{id}</c> (doc §3.2): name and billing e-mail; Owners. Members' profiles show the new name.</summary>
    private static async Task<IResult> Update(Guid orgId, OrganizationUpdateRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await AllowedAsync(db, principal.UserId(), orgId, m => m.IsOwner, "Only owners may change the organization's details.", ct) is { } refusal)
        {
            return refusal;
        }

        if (ValidateDetails(request.Name, request.BillingEmail, out var billingEmail) is { } invalid)
        {
            return invalid;
        }

        var organization = await db.Organizations.SingleAsync(o => o.Id == orgId, ct);
        organization.Name = request.Name!;
        organization.BillingEmail = billingEmail!;
        organization.RevisionDate = changes.Now;
        changes.RecordOrganization(EventType.OrganizationUpdated, orgId);
        var members = await OrganizationMembers.ConfirmedUserIdsAsync(db, orgId, ct);
        foreach (var member in members)
        {
            changes.Notify(PushType.SyncVault, member);
        }

        await changes.CommitAsync(members, ct);
        return Results.Json(OrganizationResponses.Organization(organization), CofferJson.Options);
    }

    /// <summary>
    /// <c>DELETE /api/organizations/{id}</c> with <c>{masterPasswordHash}</c> (doc §3.2): a Confirmed Owner who proves the
    /// master password again (T7). Items, collections, memberships, groups and policies go with the row (ON DELETE
    /// CASCADE); every member's devices are told to resync their organization keys.
    /// </summary>
    private static async Task<IResult> Delete(Guid orgId, [FromBody] SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        if (await AllowedAsync(db, userId, orgId, m => m.IsOwner, "Only owners may delete the organization.", ct) is { } refusal)
        {
            return refusal;
        }

        var user = await db.Users.SingleAsync(u => u.Id == userId, ct);
        if (await proof.CheckAsync(request.MasterPasswordHash, user, ct) is { } denied)
        {
            return denied;
        }

        var members = await db.Memberships.AsNoTracking().Where(m => m.OrganizationId == orgId && m.UserId != null)
            .Select(m => m.UserId!.Value).ToListAsync(ct);
        db.Organizations.Remove(await db.Organizations.SingleAsync(o => o.Id == orgId, ct));
        changes.RecordOrganization(EventType.OrganizationDeleted, orgId);
        foreach (var member in members)
        {
            changes.Notify(PushType.SyncOrgKeys, member, excludeActingDevice: false);
        }

        await changes.CommitAsync(members, ct);
        return Results.Ok();
    }

    /// <summary>
    /// <c>POST …/leave</c> (doc §3.2, §9.1): any member, whatever the status (an invitation can be declined this way),
    /// except the last Confirmed Owner.
    /// </summary>
    private static async Task<IResult> Leave(Guid orgId, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.OrganizationId == orgId && m.UserId == userId, ct);
        if (membership is null)
        {
            return OrganizationNotFound();
        }

        if (await OrganizationMembers.IsLastConfirmedOwnerAsync(db, membership, ct))
        {
            return BitwardenErrors.BadRequest("The last owner can't leave. " + OrganizationMembers.LastOwnerMessage);
        }

        db.Memberships.Remove(membership);
        changes.RecordOrganization(EventType.MemberLeft, orgId, userId, membershipId: membership.Id);
        changes.Notify(PushType.SyncOrgKeys, userId, excludeActingDevice: false);
        await changes.CommitAsync([userId], ct);
        return Results.Ok();
    }

    /// <summary><c>GET …/public-key</c> and the obsolete <c>…/keys</c>: any Confirmed member; the public key only (T0).</summary>
    private static async Task<IResult> PublicKey(Guid orgId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        if (await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct) is null)
        {
            return OrganizationNotFound();
        }

        var publicKey = await db.Organizations.AsNoTracking().Where(o => o.Id == orgId).Select(o => o.PublicKey).SingleAsync(ct);
        return Results.Json(new OrganizationPublicKeyResponseModel { PublicKey = publicKey }, CofferJson.Options);
    }

    /// <summary><c>POST …/keys</c> (doc §3.2): Admins and Owners store the key pair of an organization that has none.</summary>
    private static async Task<IResult> SetKeys(Guid orgId, OrganizationKeysRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await AllowedAsync(db, principal.UserId(), orgId, m => m.IsAdmin, "Only owners and admins may set the organization's keys.", ct) is { } refusal)
        {
            return refusal;
        }

        if (ValidateKeyPair(request) is { } invalid)
        {
            return invalid;
        }

        var organization = await db.Organizations.SingleAsync(o => o.Id == orgId, ct);
        if (organization.PublicKey is not null || organization.PrivateKey is not null)
        {
            return BitwardenErrors.BadRequest("Organization Keys already exist.");
        }

        organization.PublicKey = request.PublicKey;
        organization.PrivateKey = request.EncryptedPrivateKey;
        organization.RevisionDate = changes.Now;
        changes.RecordOrganization(EventType.OrganizationUpdated, orgId, detail: "keys");
        var members = await OrganizationMembers.ConfirmedUserIdsAsync(db, orgId, ct);
        await changes.CommitAsync(members, ct);
        return Results.Json(new OrganizationKeysResponseModel { PublicKey = organization.PublicKey, PrivateKey = organization.PrivateKey }, CofferJson.Options);
    }

    /// <summary>Null when the caller is a Confirmed member for whom <paramref name="allowed"/> holds; else 404 (not a member) or 400.</summary>
    private static async Task<IResult?> AllowedAsync(CofferDb db, Guid userId, Guid orgId, Func<MemberAccess, bool> allowed, string refusal, CancellationToken ct) =>
        await MemberAccess.LoadAsync(db, userId, orgId, ct) is not { } caller ? OrganizationNotFound()
            : allowed(caller) ? null
            : BitwardenErrors.BadRequest(refusal);

    /// <summary>Name 1–50 characters and a valid billing e-mail of at most 256 (upstream OrganizationCreateRequestModel).</summary>
    private static IResult? ValidateDetails(string? name, string? billingEmail, out string? normalizedEmail)
    {
        normalizedEmail = RegistrationEndpoints.NormalizeEmail(billingEmail);
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
        {
            return BitwardenErrors.BadRequest($"The name is required and may be at most {MaxNameLength} characters.", "name");
        }

        return normalizedEmail is null ? BitwardenErrors.BadRequest("A valid billing e-mail address of at most 256 characters is required.", "billingEmail") : null;
    }

    private static IResult? ValidateKeyPair(OrganizationKeysRequestModel keys) =>
        keys.PublicKey is { Length: > 0 and <= 2048 } publicKey && IsBase64(publicKey) && WireValidation.IsSymmetricEncString(keys.EncryptedPrivateKey)
            && keys.EncryptedPrivateKey!.Length <= 10_000
            ? null
            : BitwardenErrors.BadRequest("keys needs a Base64 public key and the private key as an EncString of type 2.", "keys");

    private static bool IsBase64(string value) => Convert.TryFromBase64String(value, new byte[value.Length], out _);
}
