using System.Buffers;
using System.Security.Claims;
using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Accounts;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Folders;
using Coffer.Server.Identity;
using Coffer.Server.Organizations;
using Coffer.Server.Sends;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Coffer.Server.Sync;

/// <summary>
/// <c>GET /api/sync</c> (protocol §4.4, <c>bitwarden-organizations.md</c> §7): the whole vault in a fixed number of
/// queries whatever its size and the number of organizations, collections and items (account, folders, the caller's
/// access, organizations, collections, policies, ciphers, their collection links and the caller's own preferences),
/// with each cipher's stored JSON spliced in unparsed. The rendered body is cached per account version: every vault
/// change bumps the account revision date, and so does every change to an organization for each member who can see
/// it (membership, access, collection or item, pitfall P12); every account change bumps its revision date. So a
/// cached body can never be stale, and an unchanged vault syncs at the cost of copying bytes. The key is read from
/// the database on every request, so this holds across several server nodes too. A personal vault's body is also
/// sent <c>br</c> or <c>gzip</c> compressed when the client asks (<see cref="SyncBody"/>), compressed once per version
/// and cached beside it.
/// </summary>
public static class SyncEndpoints
{
    /// <summary>
    /// Bodies larger than this are not cached: a vault whose items alone hold more is written straight into the
    /// response on every request (<see cref="Streamed"/>), so the server never holds such a body whole.
    /// </summary>
    internal const int MaxCachedBytes = 8 * 1024 * 1024;

    /// <summary>How much of a streamed body is written into the response pipe before it is flushed to the client.</summary>
    private const int StreamFlushBytes = 256 * 1024;

    public static void MapSync(this IEndpointRouteBuilder api)
    {
        api.MapGet("/sync", Sync).WithTags("Sync").Produces<SyncResponseModel>()
            .WithSummary("The whole vault: profile, folders, ciphers and unlock data");
    }

    public static IServiceCollection AddSyncCache(this IServiceCollection services) =>
        services.AddKeyedSingleton<IMemoryCache>(nameof(SyncEndpoints), (_, _) => new MemoryCache(new MemoryCacheOptions { SizeLimit = 64 * 1024 * 1024 }));

    private sealed record CacheKey(Guid UserId, DateTime AccountRevisionDate, DateTime RevisionDate, string SecurityStamp);

    private static async Task<IResult> Sync(HttpRequest request, ClaimsPrincipal principal, CofferDb db, [FromKeyedServices(nameof(SyncEndpoints))] IMemoryCache cache, CancellationToken ct)
    {
        var userId = principal.UserId();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return Results.Unauthorized();
        }

        var key = new CacheKey(user.Id, user.AccountRevisionDate, user.RevisionDate, user.SecurityStamp);
        var entryOptions = new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(10) };
        if (!cache.TryGetValue(key, out RenderedSync? rendered) || rendered is null)
        {
            var folders = await db.Folders.AsNoTracking().Where(f => f.UserId == userId).OrderBy(f => f.Id).ToListAsync(ct);
            var access = await VaultAccess.LoadAsync(db, userId, ct);
            var ciphers = await CipherItems.VisibleAsync(db, access, ct);
            // One query each, whatever the vault's size: the uploaded attachments of the visible items, and the Sends.
            var cipherIds = ciphers.Select(c => c.Cipher.Id).ToList();
            var attachments = (await db.Attachments.AsNoTracking().Where(a => a.Uploaded && cipherIds.Contains(a.CipherId))
                .OrderBy(a => a.CreationDate).ThenBy(a => a.Id).ToListAsync(ct)).ToLookup(a => a.CipherId);
            var sends = await db.Sends.AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.CreationDate).ThenBy(s => s.Id).ToListAsync(ct);
            var securityKeys = await TwoFactor.TwoFactorProviders.HasSecurityKeysAsync(db, userId, ct);
            var vault = new SyncData(user, folders, access, [], [], [], ciphers, attachments, sends, securityKeys);
            if (access.Organizations.Count > 0)
            {
                // Only Confirmed memberships reach here and into the profile (doc §7.1, pitfalls P2, P6, P8, T13).
                var organizationIds = access.Organizations.Keys.ToList();
                var everyCollectionOf = access.Organizations.Values.Where(m => m.CanEditAnyCollection).Select(m => m.OrganizationId).ToList();
                var assigned = access.Collections.Keys.ToList();
                vault = vault with
                {
                    Organizations = await OrganizationResponses.ProfileOrganizationsAsync(db, userId, ct),
                    Collections = await db.Collections.AsNoTracking()
                        .Where(c => everyCollectionOf.Contains(c.OrganizationId) || assigned.Contains(c.Id))
                        .OrderBy(c => c.Id).ToListAsync(ct),
                    Policies = await db.Policies.AsNoTracking()
                        .Where(p => p.Enabled && organizationIds.Contains(p.OrganizationId))
                        .OrderBy(p => p.Id).ToListAsync(ct),
                };
            }

            // A body that could not be cached anyway (its items alone are larger than the limit) is never built in
            // memory: 100,000 items are about 190 MB of JSON, which a buffer, its growth copies and the final array
            // would hold several times over (bench/results/scale.md). Sent as is, like any uncached body.
            if (ciphers.Sum(c => (long)c.Cipher.Data.Length) > MaxCachedBytes)
            {
                return new Streamed(vault);
            }

            // BREACH needs attacker-chosen bytes compressed together with a secret. Without an organization every
            // byte of the body comes from the account's own clients, so only such bodies are ever compressed
            // (SECURITY.md "Response compression and BREACH").
            var buffer = new ArrayBufferWriter<byte>(4096 + (vault.Ciphers.Count * 1024));
            await RenderAsync(vault, buffer, flush: null, ct);
            rendered = new RenderedSync(buffer.WrittenSpan.ToArray(), Compressible: access.Organizations.Count == 0);
            if (rendered.Body.Length > MaxCachedBytes)
            {
                return SyncBody.Answer(request, rendered, cache, cacheKey: null, entryOptions);
            }

            using var entry = cache.CreateEntry(key);
            entry.SetOptions(entryOptions);
            entry.Size = rendered.Body.Length;
            entry.Value = rendered;
        }

        return SyncBody.Answer(request, rendered, cache, key, entryOptions);
    }

    /// <summary>Everything one sync body is made of.</summary>
    private sealed record SyncData(User User, List<Folder> Folders, VaultAccess Access, IReadOnlyList<ProfileOrganizationResponseModel> Organizations,
        List<Collection> Collections, List<Policy> Policies, List<CipherItem> Ciphers, ILookup<Guid, Attachment> Attachments, List<Send> Sends,
        bool SecurityKeys = false);

    /// <summary>
    /// Writes the sync body into <paramref name="output"/>; with <paramref name="flush"/>, the JSON written so far is
    /// handed to it whenever <see cref="StreamFlushBytes"/> more are pending, item by item (a streamed response).
    /// </summary>
    private static async Task RenderAsync(SyncData vault, IBufferWriter<byte> output, Func<CancellationToken, ValueTask>? flush, CancellationToken ct)
    {
        var user = vault.User;
        var writer = new Utf8JsonWriter(output);
        await using (writer)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("profile"u8);
            JsonSerializer.Serialize(writer, AccountResponses.Profile(user, vault.Organizations, vault.SecurityKeys), CofferJson.Options);
            writer.WriteStartArray("folders"u8);
            foreach (var folder in vault.Folders)
            {
                JsonSerializer.Serialize(writer, FolderEndpoints.ToResponse(folder), CofferJson.Options);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("collections"u8);
            foreach (var collection in vault.Collections)
            {
                var flags = vault.Access.CollectionAccess(collection.OrganizationId, collection.Id) ?? CollectionFlags.Full;
                JsonSerializer.Serialize(writer, CollectionEndpoints.Details(collection, flags), CofferJson.Options);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("policies"u8);
            foreach (var policy in vault.Policies)
            {
                JsonSerializer.Serialize(writer, OrganizationResponses.Policy(policy), CofferJson.Options);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("ciphers"u8);
            var scratch = new ArrayBufferWriter<byte>(4096);
            var flushed = 0L;
            foreach (var item in vault.Ciphers)
            {
                CipherJson.Write(writer, item.Cipher, item.View(vault.Access), scratch, [.. vault.Attachments[item.Cipher.Id]]);
                // Written = handed to the output (committed) plus still in the writer's span (pending).
                if (flush is not null && writer.BytesCommitted + writer.BytesPending - flushed >= StreamFlushBytes)
                {
                    writer.Flush();
                    flushed = writer.BytesCommitted;
                    await flush(ct);
                }
            }

            writer.WriteEndArray();
            // Domains are only sent on request; every official client asks with excludeDomains=true.
            writer.WriteNull("domains"u8);
            writer.WriteStartArray("sends"u8);
            foreach (var send in vault.Sends)
            {
                SendJson.Write(writer, send);
            }

            writer.WriteEndArray();
            writer.WritePropertyName("userDecryption"u8);
            JsonSerializer.Serialize(writer, AccountResponses.UserDecryption(user), CofferJson.Options);
            writer.WriteString("object"u8, "sync"u8);
            writer.WriteEndObject();
        }
    }

    /// <summary>
    /// A sync body too large to cache, written item by item into the response (chunked, identity: compressing it on
    /// every request would cost more CPU than it saves, as for any uncached body). At most one flush's worth of JSON is
    /// held beside the items themselves.
    /// </summary>
    private sealed class Streamed(SyncData vault) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var ct = httpContext.RequestAborted;
            response.ContentType = "application/json; charset=utf-8";
            await response.StartAsync(ct);
            var pipe = response.BodyWriter;
            await RenderAsync(vault, pipe, async token => await pipe.FlushAsync(token), ct);
            await pipe.FlushAsync(ct);
        }
    }
}
