using System.Buffers;
using System.Security.Claims;
using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Accounts;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Folders;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Coffer.Server.Sync;

/// <summary>
/// <c>GET /api/sync</c> (protocol §4.4): the whole vault in three queries (account, folders, ciphers) whatever
/// its size, with each cipher's stored JSON spliced in unparsed. The rendered body is cached per account
/// version: every vault change bumps the account revision date and every account change its revision date,
/// so a cached body can never be stale, and an unchanged vault syncs at the cost of copying bytes. The key is
/// read from the database on every request, so this holds across several server nodes too.
/// </summary>
public static class SyncEndpoints
{
    /// <summary>Bodies larger than this are rendered on every request rather than cached.</summary>
    private const int MaxCachedBytes = 8 * 1024 * 1024;

    public static void MapSync(this IEndpointRouteBuilder api)
    {
        api.MapGet("/sync", Sync).WithTags("Sync").Produces<SyncResponseModel>()
            .WithSummary("The whole vault: profile, folders, ciphers and unlock data");
    }

    public static IServiceCollection AddSyncCache(this IServiceCollection services) =>
        services.AddKeyedSingleton<IMemoryCache>(nameof(SyncEndpoints), (_, _) => new MemoryCache(new MemoryCacheOptions { SizeLimit = 64 * 1024 * 1024 }));

    private sealed record CacheKey(Guid UserId, DateTime AccountRevisionDate, DateTime RevisionDate, string SecurityStamp);

    private static async Task<IResult> Sync(ClaimsPrincipal principal, CofferDb db, [FromKeyedServices(nameof(SyncEndpoints))] IMemoryCache cache, CancellationToken ct)
    {
        var userId = principal.UserId();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return Results.Unauthorized();
        }

        var key = new CacheKey(user.Id, user.AccountRevisionDate, user.RevisionDate, user.SecurityStamp);
        if (!cache.TryGetValue(key, out byte[]? body) || body is null)
        {
            var folders = await db.Folders.AsNoTracking().Where(f => f.UserId == userId).OrderBy(f => f.Id).ToListAsync(ct);
            var ciphers = await db.Ciphers.AsNoTracking().Where(c => c.UserId == userId).OrderBy(c => c.Id).ToListAsync(ct);
            body = Render(user, folders, ciphers);
            if (body.Length <= MaxCachedBytes)
            {
                cache.Set(key, body, new MemoryCacheEntryOptions { Size = body.Length, SlidingExpiration = TimeSpan.FromMinutes(10) });
            }
        }

        return Results.Bytes(body, "application/json; charset=utf-8");
    }

    private static byte[] Render(User user, List<Folder> folders, List<Cipher> ciphers)
    {
        var buffer = new ArrayBufferWriter<byte>(4096 + (ciphers.Count * 1024));
        using (var writer = new Utf8JsonWriter(buffer))
        {
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
        }

        return buffer.WrittenSpan.ToArray();
    }
}
