using System.Buffers;
using System.Security.Claims;
using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// <c>GET /api/organizations/{orgId}/export</c> (doc <c>bitwarden-organizations.md</c> §6.4): every collection and item of
/// the organization as <c>{"collections":[…],"ciphers":[…]}</c>, no list wrapper, for Admins, Owners and Custom members
/// with import/export rights (Confirmed; anyone else who is a member gets 400, a non-member 404, advisory T7). The items
/// are ciphertext under the organization key; <c>bw export --organizationid</c> decrypts them locally.
/// </summary>
public static class OrganizationExport
{
    public static void MapOrganizationExport(this IEndpointRouteBuilder api)
    {
        api.MapGet("/organizations/{orgId:guid}/export", Export).WithTags("Collections").Produces<OrganizationExportResponseModel>()
            .WithSummary("Every collection and item of an organization");
    }

    private static async Task<IResult> Export(Guid orgId, ClaimsPrincipal principal, CofferDb db, HttpResponse response, CancellationToken ct)
    {
        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        if (access.Member(orgId) is not { } member)
        {
            return BitwardenErrors.NotFound("Organization not found.");
        }

        if (!member.CanAccessImportExport)
        {
            return BitwardenErrors.BadRequest("You do not have permission to export this organization's vault.");
        }

        var collections = await db.Collections.AsNoTracking().Where(c => c.OrganizationId == orgId).OrderBy(c => c.Id).ToListAsync(ct);
        var items = await CipherItems.OfOrganizationAsync(db, orgId, userId, ct);
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteStartArray("collections"u8);
        foreach (var collection in collections)
        {
            JsonSerializer.Serialize(writer, new CollectionResponseModel
            {
                Id = collection.Id,
                OrganizationId = collection.OrganizationId,
                Name = collection.Name,
                ExternalId = collection.ExternalId,
            }, CofferJson.Options);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("ciphers"u8);
        var scratch = new ArrayBufferWriter<byte>(4096);
        foreach (var item in items)
        {
            CipherJson.Write(writer, item.Cipher, item.View(access), scratch);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(ct);
        return Results.Empty;
    }
}
