using Coffer.Server.Data;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Ciphers;

/// <summary>An item the caller may see, with every collection it is in, the caller's combined flags on it and their own preference row.</summary>
public sealed record CipherItem(Cipher Cipher, IReadOnlyList<Guid> CollectionIds, CollectionFlags Flags, CipherPreference? Preference)
{
    /// <summary>What <paramref name="access"/>'s user sees of it (collection ids they can see, their folder and favourite).</summary>
    public CallerView View(VaultAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        return Cipher.OrganizationId is { } organizationId
            ? new CallerView([.. access.VisibleCollections(organizationId, CollectionIds)], Flags, Preference?.FolderId, Preference?.Favorite ?? false)
            : CallerView.Personal(Cipher);
    }
}

/// <summary>
/// Loads items through <see cref="VaultAccess"/> (doc <c>bitwarden-organizations.md</c> §9.2, §12): a personal item
/// is its owner's alone, an organization item needs a Confirmed membership and a collection path (or edit-any).
/// Anything else is "not found", so another user's or another organization's item is a 404 (T3, T4, T9).
/// </summary>
public static class CipherItems
{
    /// <summary>One visible item, tracked for change, or null (answer 404). At most three queries.</summary>
    public static async Task<CipherItem?> FindAsync(CofferDb db, VaultAccess access, Guid id, CancellationToken ct) =>
        (await FindManyAsync(db, access, [id], ct)).SingleOrDefault();

    /// <summary>The visible items among <paramref name="ids"/>, tracked for change, in three queries; invisible ids are left out.</summary>
    public static async Task<List<CipherItem>> FindManyAsync(CofferDb db, VaultAccess access, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(access);
        var userId = access.UserId;
        var organizations = access.Organizations.Keys.ToList();
        var ciphers = await db.Ciphers
            .Where(c => ids.Contains(c.Id) && (c.UserId == userId || (c.OrganizationId != null && organizations.Contains(c.OrganizationId.Value))))
            .ToListAsync(ct);
        return await WithAccessAsync(db, access, ciphers, ct);
    }

    /// <summary>Every item the caller may see, read only, ordered by id: list and sync. Three queries besides <see cref="VaultAccess"/>'s.</summary>
    public static async Task<List<CipherItem>> VisibleAsync(CofferDb db, VaultAccess access, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(access);
        var visible = access.VisibleCiphers(db);
        var ciphers = await visible.AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct);
        if (access.Organizations.Count == 0)
        {
            return [.. ciphers.Select(c => new CipherItem(c, [], CollectionFlags.Full, null))];
        }

        var userId = access.UserId;
        var links = await db.CollectionCiphers.AsNoTracking()
            .Where(l => visible.Any(c => c.Id == l.CipherId))
            .Select(l => new { l.CipherId, l.CollectionId }).ToListAsync(ct);
        var preferences = await db.CipherPreferences.AsNoTracking().Where(p => p.UserId == userId).ToDictionaryAsync(p => p.CipherId, ct);
        return Combine(access, ciphers, links.ToLookup(l => l.CipherId, l => l.CollectionId), preferences);
    }

    /// <summary>
    /// Every item of an organization with all its collections and full flags (the admin views and export, for
    /// members who can edit any collection); read only, ordered by id.
    /// </summary>
    public static async Task<List<CipherItem>> OfOrganizationAsync(CofferDb db, Guid organizationId, Guid userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var ciphers = await db.Ciphers.AsNoTracking().Where(c => c.OrganizationId == organizationId).OrderBy(c => c.Id).ToListAsync(ct);
        var links = await (
                from link in db.CollectionCiphers
                join collection in db.Collections on link.CollectionId equals collection.Id
                where collection.OrganizationId == organizationId
                select new { link.CipherId, link.CollectionId })
            .AsNoTracking().ToListAsync(ct);
        var preferences = await (
                from preference in db.CipherPreferences
                join cipher in db.Ciphers on preference.CipherId equals cipher.Id
                where preference.UserId == userId && cipher.OrganizationId == organizationId
                select preference)
            .AsNoTracking().ToDictionaryAsync(p => p.CipherId, ct);
        var byCipher = links.ToLookup(l => l.CipherId, l => l.CollectionId);
        return [.. ciphers.Select(c => new CipherItem(c, [.. byCipher[c.Id]], CollectionFlags.Full, preferences.GetValueOrDefault(c.Id)))];
    }

    /// <summary>
    /// Sets the caller's own folder and favourite: on a personal item the item's columns, on an organization item the
    /// caller's <see cref="CipherPreference"/> row (created or removed as needed, pitfall P11).
    /// </summary>
    /// <returns><paramref name="item"/> with its preference as it now is.</returns>
    public static CipherItem SetPreference(CofferDb db, CipherItem item, Guid userId, Guid? folderId, bool favorite)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(item);
        if (item.Cipher.OrganizationId is null)
        {
            item.Cipher.FolderId = folderId;
            item.Cipher.Favorite = favorite;
            return item;
        }

        return item with { Preference = SetPreference(db, item.Preference, item.Cipher.Id, userId, folderId, favorite) };
    }

    /// <summary>The organization-item half of <see cref="SetPreference(CofferDb, CipherItem, Guid, Guid?, bool)"/>, for an item just created or shared.</summary>
    public static CipherPreference? SetPreference(CofferDb db, CipherPreference? existing, Guid cipherId, Guid userId, Guid? folderId, bool favorite)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (existing is not null)
        {
            existing.FolderId = folderId;
            existing.Favorite = favorite;
            return existing;
        }

        if (folderId is null && !favorite)
        {
            return null;
        }

        var preference = new CipherPreference { UserId = userId, CipherId = cipherId, FolderId = folderId, Favorite = favorite };
        db.CipherPreferences.Add(preference);
        return preference;
    }

    private static async Task<List<CipherItem>> WithAccessAsync(CofferDb db, VaultAccess access, List<Cipher> ciphers, CancellationToken ct)
    {
        var organizationItems = ciphers.Where(c => c.OrganizationId is not null).Select(c => c.Id).ToList();
        if (organizationItems.Count == 0)
        {
            return [.. ciphers.Where(c => c.UserId == access.UserId).Select(c => new CipherItem(c, [], CollectionFlags.Full, null))];
        }

        var userId = access.UserId;
        var links = await db.CollectionCiphers.AsNoTracking().Where(l => organizationItems.Contains(l.CipherId))
            .Select(l => new { l.CipherId, l.CollectionId }).ToListAsync(ct);
        var preferences = await db.CipherPreferences.Where(p => p.UserId == userId && organizationItems.Contains(p.CipherId)).ToDictionaryAsync(p => p.CipherId, ct);
        return Combine(access, ciphers, links.ToLookup(l => l.CipherId, l => l.CollectionId), preferences);
    }

    private static List<CipherItem> Combine(VaultAccess access, List<Cipher> ciphers, ILookup<Guid, Guid> links, Dictionary<Guid, CipherPreference> preferences)
    {
        var items = new List<CipherItem>(ciphers.Count);
        foreach (var cipher in ciphers)
        {
            IReadOnlyList<Guid> collections = cipher.OrganizationId is null ? [] : [.. links[cipher.Id]];
            if (access.ItemAccess(cipher, collections) is { } flags)
            {
                items.Add(new CipherItem(cipher, collections, flags, preferences.GetValueOrDefault(cipher.Id)));
            }
        }

        return items;
    }
}
