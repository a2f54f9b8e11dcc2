using System.Buffers;
using System.Security.Claims;
using System.Text.Json;
using Coffer.Core.Api;
using Coffer.Server.Accounts;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Folders;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Sync;

/// <summary>
/// <c>GET /api/sync</c> (protocol §4.4): the whole vault in three queries (account, folders, ciphers) whatever
/// its size, streamed straight into the response with each cipher's stored JSON spliced in unparsed.
/// </summary>
public static class SyncEndpoints
{
    public static void MapSync(this IEndpointRouteBuilder api)
    {
        api.MapGet("/sync", Sync).WithTags("Sync").Produces<SyncResponseModel>()
            .WithSummary("The whole vault: profile, folders, ciphers and unlock data");
    }

    private static async Task<IResult> Sync(ClaimsPrincipal principal, CofferDb db, HttpResponse response, CancellationToken ct)
    {
        var userId = principal.UserId();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return Results.Unauthorized();
        }

        var folders = await db.Folders.AsNoTracking().Where(f => f.UserId == userId).OrderBy(f => f.Id).ToListAsync(ct);
        var ciphers = await db.Ciphers.AsNoTracking().Where(c => c.UserId == userId).OrderBy(c => c.Id).ToListAsync(ct);

        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        writer.WriteStartObject();
        writer.WritePropertyName("profile"u8);
        JsonSerializer.Serialize(writer, AccountResponses.Profile(user), CofferJson.Options);
        writer.WriteStartArray("folders"u8);
        foreach (var folder in folders)
        {
            JsonSerializer.Serialize(writer, FolderEndpoints.ToResponse(folder), CofferJson.Options);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("collections"u8);
        writer.WriteEndArray();
        writer.WriteStartArray("policies"u8);
        writer.WriteEndArray();
        writer.WriteStartArray("ciphers"u8);
        var scratch = new ArrayBufferWriter<byte>(4096);
        foreach (var cipher in ciphers)
        {
            CipherJson.Write(writer, cipher, scratch);
            if (writer.BytesPending > 32 * 1024)
            {
                await writer.FlushAsync(ct);
            }
        }

        writer.WriteEndArray();
        // Domains are only sent on request; every official client asks with excludeDomains=true.
        writer.WriteNull("domains"u8);
        writer.WriteStartArray("sends"u8);
        writer.WriteEndArray();
        writer.WritePropertyName("userDecryption"u8);
        JsonSerializer.Serialize(writer, AccountResponses.UserDecryption(user), CofferJson.Options);
        writer.WriteString("object"u8, "sync"u8);
        writer.WriteEndObject();
        await writer.FlushAsync(ct);
        return Results.Empty;
    }
}
