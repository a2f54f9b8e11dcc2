using System.Buffers;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Files;
using Coffer.Server.Hosting;
using Coffer.Server.Identity;
using Coffer.Server.Mail;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Emergency;

/// <summary>
/// <c>/api/emergency-access/{id}/…</c>, the recovery half (<c>bitwarden-sharing-features.md</c> §4.3, §4.5): the grantee
/// initiates, the grantor approves or rejects (or the wait passes, <see cref="EmergencyAccessJobs"/>), and then the
/// grantee of a View grant reads the grantor's personal items and attachments, the grantee of a Takeover grant sets a
/// new master password (<see cref="EmergencyTakeover"/>). The key and the items leave the server only in status
/// RecoveryApproved, to the grant's grantee, for the grant's type (pitfall 21, E-1, E-2, E-11); everything else
/// answers 400 <c>Emergency Access not valid.</c>
/// </summary>
public static class EmergencyRecoveryEndpoints
{
    /// <summary>The <see cref="ScopedTokens"/> purpose of an emergency attachment download (subject <c>{grantId}/{cipherId}/{attachmentId}</c>).</summary>
    public const string AttachmentDownload = "emergency-attachment-download";

    internal static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/{id:guid}/initiate", Initiate).WithSummary("Ask for access (grantee, Confirmed → RecoveryInitiated); mails the grantor");
        group.MapPost("/{id:guid}/approve", Approve).WithSummary("Grant access before the wait ends (grantor, RecoveryInitiated → RecoveryApproved)");
        group.MapPost("/{id:guid}/reject", Reject).WithSummary("Refuse or withdraw access (grantor, RecoveryInitiated or RecoveryApproved → Confirmed)");
        group.MapPost("/{id:guid}/view", View)
            .WithSummary("The grantor's personal items and the wrapped user key (grantee of an approved View grant)");
        group.MapGet("/{id:guid}/{cipherId:guid}/attachment/{attachmentId}", Attachment).Produces<AttachmentResponseModel>()
            .WithSummary("A download URL for an attachment of the grantor's item (grantee of an approved View grant)");
        group.MapPost("/{id:guid}/takeover", Takeover).Produces<EmergencyAccessTakeoverResponseModel>()
            .WithSummary("The grantor's KDF, salt and wrapped user key (grantee of an approved Takeover grant)");
        group.MapPost("/{id:guid}/password", EmergencyTakeover.SetPassword)
            .WithSummary("Set the grantor's new master password: ends every session, removes two-step login and non-owner memberships");
        group.MapGet("/{id:guid}/policies", Policies).Produces<ListResponseModel<PolicyResponseModel>>()
            .WithSummary("The policies of the organizations the grantor owns (grantee of an approved Takeover grant)");
    }

    /// <summary>The anonymous download an emergency attachment URL points to (its own token, bound to the grant, the grantee and the file).</summary>
    public static void MapEmergencyAttachmentDownloads(this IEndpointRouteBuilder app) =>
        app.MapGet("/attachments/emergency/{grantId}/{cipherId}/{attachmentId}", Download).AllowAnonymous().WithTags("Emergency access")
            .WithSummary("Download an attachment of a grantor's item with the token of an emergency download URL");

    /// <summary>
    /// The grant <paramref name="id"/> if the caller is its grantee, it is RecoveryApproved and of <paramref name="type"/>
    /// (upstream <c>IsValidRequest</c>), read only; else null.
    /// </summary>
    internal static Task<EmergencyAccessGrant?> ApprovedAsync(CofferDb db, Guid granteeId, Guid id, EmergencyAccessType type, CancellationToken ct) =>
        db.EmergencyAccessGrants.AsNoTracking().SingleOrDefaultAsync(g => g.Id == id && g.GranteeId == granteeId
            && g.Status == EmergencyAccessStatus.RecoveryApproved && g.Type == type, ct);

    /// <summary><c>POST …/initiate</c> (E-4: a grantor calling it finds no grant of theirs as grantee).</summary>
    private static async Task<IResult> Initiate(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, Mailer mailer, CancellationToken ct)
    {
        if (await EmergencyAccessEndpoints.AsGranteeAsync(db, principal, id, ct) is not { Status: EmergencyAccessStatus.Confirmed } grant)
        {
            return EmergencyAccessEndpoints.NotValid();
        }

        grant.Status = EmergencyAccessStatus.RecoveryInitiated;
        grant.RecoveryInitiatedDate = changes.Now;
        grant.LastNotificationDate = changes.Now;
        await MailAsync(db, mailer, grant, EmergencyAccessMail.Initiated, ct);
        return await EmergencyAccessEndpoints.CommitAsync(changes, grant, ct);
    }

    /// <summary><c>POST …/approve</c>: the grantor ends the wait early.</summary>
    private static async Task<IResult> Approve(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, Mailer mailer, CancellationToken ct)
    {
        if (await EmergencyAccessEndpoints.AsGrantorAsync(db, principal, id, ct) is not { Status: EmergencyAccessStatus.RecoveryInitiated } grant)
        {
            return EmergencyAccessEndpoints.NotValid();
        }

        grant.Status = EmergencyAccessStatus.RecoveryApproved;
        await MailAsync(db, mailer, grant, EmergencyAccessMail.Approved, ct);
        return await EmergencyAccessEndpoints.CommitAsync(changes, grant, ct);
    }

    /// <summary>
    /// <c>POST …/reject</c> (E-8): back to Confirmed from RecoveryInitiated or RecoveryApproved, so a grantee already
    /// approved loses view and takeover at once. Racing the approval job, one of the two conditional updates wins.
    /// </summary>
    private static async Task<IResult> Reject(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, Mailer mailer, CancellationToken ct)
    {
        if (await EmergencyAccessEndpoints.AsGrantorAsync(db, principal, id, ct) is not
            { Status: EmergencyAccessStatus.RecoveryInitiated or EmergencyAccessStatus.RecoveryApproved } grant)
        {
            return EmergencyAccessEndpoints.NotValid();
        }

        grant.Status = EmergencyAccessStatus.Confirmed;
        await MailAsync(db, mailer, grant, EmergencyAccessMail.Rejected, ct);
        return await EmergencyAccessEndpoints.CommitAsync(changes, grant, ct);
    }

    private static async Task MailAsync(CofferDb db, Mailer mailer, EmergencyAccessGrant grant, Action<Mailer, EmergencyAccessGrant, Accounts.User, Accounts.User> mail,
        CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().Where(u => u.Id == grant.GrantorId || u.Id == grant.GranteeId).ToListAsync(ct);
        mail(mailer, grant, users.Single(u => u.Id == grant.GrantorId), users.Single(u => u.Id == grant.GranteeId));
    }

    /// <summary>
    /// <c>POST …/view</c> (E-11): <c>{"ciphers":[…],"keyEncrypted":…,"object":"emergencyAccessView"}</c> with the
    /// grantor's personal items only (<c>UserId == grantor</c>, never an organization's, whose keys the grantor's user
    /// key does not open anyway), each with its attachments. Attachment <c>url</c>s are null: the web vault asks the
    /// emergency attachment route for each download, which checks the grant again.
    /// </summary>
    private static async Task<IResult> View(Guid id, ClaimsPrincipal principal, CofferDb db, HttpContext context, CancellationToken ct)
    {
        if (await ApprovedAsync(db, principal.UserId(), id, EmergencyAccessType.View, ct) is not { KeyEncrypted: { } key } grant)
        {
            return EmergencyAccessEndpoints.NotValid();
        }

        var ciphers = await db.Ciphers.AsNoTracking().Where(c => c.UserId == grant.GrantorId && c.OrganizationId == null).OrderBy(c => c.Id).ToListAsync(ct);
        var attachments = await CipherAttachments.UploadedAsync(context, [.. ciphers.Select(c => c.Id)]);
        var buffer = new ArrayBufferWriter<byte>(4096);
        var scratch = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("ciphers"u8);
            foreach (var cipher in ciphers)
            {
                // As the grantor sees them, but read only: the grantee may not edit another account's items.
                var view = CallerView.Personal(cipher) with { Flags = new CollectionFlags(ReadOnly: true, HidePasswords: false, Manage: false) };
                CipherJson.Write(writer, cipher, view, scratch, [.. attachments[cipher.Id]]);
            }

            writer.WriteEndArray();
            writer.WriteString("keyEncrypted"u8, key);
            writer.WriteString("object"u8, "emergencyAccessView"u8);
            writer.WriteEndObject();
        }

        return Results.Bytes(buffer.WrittenSpan.ToArray(), "application/json; charset=utf-8");
    }

    /// <summary>
    /// <c>GET …/{id}/{cipherId}/attachment/{attachmentId}</c> (upstream <c>GetAttachmentDownloadAsync</c>): the item must
    /// be the grantor's personal item. The URL's token names the grant, the grantee and the file, and the download
    /// checks the grant again, so a reject or a deletion stops even a URL already handed out.
    /// </summary>
    private static async Task<IResult> Attachment(Guid id, Guid cipherId, string attachmentId, ClaimsPrincipal principal, CofferDb db, ScopedTokens tokens,
        HttpRequest request, CancellationToken ct)
    {
        var granteeId = principal.UserId();
        if (await ApprovedAsync(db, granteeId, id, EmergencyAccessType.View, ct) is not { } grant
            || await GrantorAttachmentAsync(db, grant, cipherId, attachmentId, ct) is not { } attachment)
        {
            return EmergencyAccessEndpoints.NotValid();
        }

        var token = tokens.Create(AttachmentDownload, Subject(grant.Id, cipherId, attachment.Id), CipherAttachments.DownloadLifetime, granteeId);
        return Results.Json(new AttachmentResponseModel
        {
            Id = attachment.Id,
            Url = $"{PublicUrl.Origin(request)}/attachments/emergency/{grant.Id:D}/{cipherId:D}/{attachment.Id}?token={Uri.EscapeDataString(token)}",
            FileName = attachment.FileName,
            Key = attachment.Key,
            Size = attachment.Size.ToString(CultureInfo.InvariantCulture),
            SizeName = AttachmentJson.SizeName(attachment.Size),
        }, CofferJson.Options);
    }

    private static async Task<IResult> Download(string grantId, string cipherId, string attachmentId, string? token, ScopedTokens tokens, CofferDb db,
        IBlobStore blobs, IOptions<ServerOptions> options, HttpResponse response, CancellationToken ct)
    {
        if (!options.Value.EmergencyAccess.Enabled
            || !Guid.TryParseExact(grantId, "D", out var grantGuid) || !Guid.TryParseExact(cipherId, "D", out var cipherGuid)
            || await tokens.ValidateAsync(AttachmentDownload, token) is not { UserId: { } granteeId } valid
            || valid.Subject != Subject(grantGuid, cipherGuid, attachmentId)
            || await ApprovedAsync(db, granteeId, grantGuid, EmergencyAccessType.View, ct) is not { } grant
            || await GrantorAttachmentAsync(db, grant, cipherGuid, attachmentId, ct) is not { } attachment
            || await blobs.OpenReadAsync(BlobKeys.Attachment(attachment.CipherId, attachment.Id), ct) is not { } content)
        {
            return Results.Problem(detail: "No such file, or the link has expired.", statusCode: StatusCodes.Status404NotFound);
        }

        response.Headers.CacheControl = "no-store";
        response.ContentLength = content.Length;
        return Results.Stream(content.Stream, "application/octet-stream");
    }

    /// <summary>An uploaded attachment of a personal item of the grant's grantor, else null.</summary>
    private static Task<Attachment?> GrantorAttachmentAsync(CofferDb db, EmergencyAccessGrant grant, Guid cipherId, string attachmentId, CancellationToken ct) =>
        db.Attachments.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attachmentId && a.CipherId == cipherId && a.Uploaded
            && db.Ciphers.Any(c => c.Id == cipherId && c.UserId == grant.GrantorId && c.OrganizationId == null), ct);

    private static string Subject(Guid grantId, Guid cipherId, string attachmentId) => $"{grantId:D}/{cipherId:D}/{attachmentId}";

    /// <summary><c>POST …/takeover</c> (E-2): what the grantee's client needs to wrap the grantor's user key under a new master key.</summary>
    private static async Task<IResult> Takeover(Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        if (await ApprovedAsync(db, principal.UserId(), id, EmergencyAccessType.Takeover, ct) is not { KeyEncrypted: { } key } grant)
        {
            return EmergencyAccessEndpoints.NotValid();
        }

        var grantor = await db.Users.AsNoTracking().SingleAsync(u => u.Id == grant.GrantorId, ct);
        return Results.Json(new EmergencyAccessTakeoverResponseModel
        {
            Kdf = grantor.Kdf,
            KdfIterations = grantor.KdfIterations,
            KdfMemory = grantor.KdfMemory,
            KdfParallelism = grantor.KdfParallelism,
            KeyEncrypted = key,
            // The web vault prefers the salt to the e-mail (§4.5); Coffer's salt is the stored, normalized e-mail.
            Salt = grantor.Email,
        }, CofferJson.Options);
    }

    /// <summary>
    /// <c>GET …/policies</c>: the enabled policies of the organizations the grantor owns, the only ones the grantor stays
    /// in after a takeover (upstream sends them only to an owner), so the new password can meet a MasterPassword policy.
    /// </summary>
    private static async Task<IResult> Policies(Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        if (await ApprovedAsync(db, principal.UserId(), id, EmergencyAccessType.Takeover, ct) is not { } grant)
        {
            return EmergencyAccessEndpoints.NotValid();
        }

        var owned = db.Memberships.Where(m => m.UserId == grant.GrantorId && m.Type == MembershipType.Owner && m.Status == MembershipStatus.Confirmed)
            .Select(m => m.OrganizationId);
        var policies = await db.Policies.AsNoTracking().Where(p => p.Enabled && owned.Contains(p.OrganizationId)).OrderBy(p => p.Type).ToListAsync(ct);
        return Results.Json(new ListResponseModel<PolicyResponseModel> { Data = policies.ConvertAll(OrganizationResponses.Policy) }, CofferJson.Options);
    }
}
