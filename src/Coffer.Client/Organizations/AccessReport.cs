using Coffer.Protocol.Api;

namespace Coffer.Client.Organizations;

/// <summary>One way a member reaches a collection or item: their membership type, a direct collection grant, or a group's.</summary>
/// <param name="Kind"><c>type</c>, <c>collection</c> or <c>group</c>.</param>
/// <param name="Name">The type name (owner, admin, custom), or the collection or group name.</param>
/// <param name="Access">For collection and group paths: manage, edit, read-only and/or hide-passwords.</param>
public sealed record AccessPath(string Kind, string Name, string? Access);

/// <summary>What one member may do with a collection or item, and every path that grants it.</summary>
/// <param name="MemberId">The member (organization user) id.</param>
/// <param name="Email">The member's e-mail address.</param>
/// <param name="Type">owner, admin, user or custom.</param>
/// <param name="Edit">May change it (not read-only, or manage; bitwarden-organizations.md §1.3).</param>
/// <param name="Reveal">May see the password (not hide-passwords).</param>
/// <param name="Manage">May manage the collection's access and assign items.</param>
/// <param name="Via">Every path that grants it; several combine.</param>
public sealed record AccessGrant(Guid MemberId, string Email, string Type, bool Edit, bool Reveal, bool Manage, IReadOnlyList<AccessPath> Via);

public sealed record CollectionAccessEntry(Guid Id, string Name, IReadOnlyList<AccessGrant> Access);

public sealed record ItemAccessEntry(Guid Id, string Name, IReadOnlyList<Guid> CollectionIds, IReadOnlyList<AccessGrant> Access);

/// <summary>A collection or item as the report needs it: id, decrypted name, and (items) its collections.</summary>
public sealed record AccessSubject(Guid Id, string Name, IReadOnlyList<Guid> CollectionIds);

/// <summary>
/// Who can see, edit and reveal each collection and item of an organization, with the path that grants it
/// (issue 11 point 10, <c>coffer org access</c>). Computed from what an owner or admin can read: the members with
/// their collections and groups, the groups with their collections, the collections and the items. The rules are
/// the server's (VaultAccess, CollectionFlags; bitwarden-organizations.md §1.3, §9.2): only Confirmed members have
/// access; owners, admins and Custom members with <c>editAnyCollection</c> reach everything; others reach a
/// collection directly or through a group, and several paths combine (read-only and hide-passwords only when every
/// path has them, manage when any has it); an item is reached through any of its collections.
/// </summary>
public sealed record AccessReport(
    IReadOnlyList<CollectionAccessEntry> Collections,
    IReadOnlyList<ItemAccessEntry> Items,
    IReadOnlyList<OrganizationUserDetailsResponseModel> WithoutAccess)
{
    public static AccessReport Compute(
        IReadOnlyList<OrganizationUserDetailsResponseModel> members,
        IReadOnlyList<GroupResponseModel> groups,
        IReadOnlyList<AccessSubject> collections,
        IReadOnlyList<AccessSubject> items)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(collections);
        ArgumentNullException.ThrowIfNull(items);
        var confirmed = members.Where(m => m.Status == 2).OrderBy(m => m.Email, StringComparer.OrdinalIgnoreCase).ToList();
        var groupsById = groups.ToDictionary(g => g.Id);
        var collectionNames = collections.ToDictionary(c => c.Id, c => c.Name);

        // Per member and collection: the paths and their flags.
        List<(AccessPath Path, SelectionReadOnlyResponseModel Flags)> Paths(OrganizationUserDetailsResponseModel member, Guid collectionId)
        {
            var name = collectionNames.GetValueOrDefault(collectionId, collectionId.ToString());
            var paths = member.Collections.Where(c => c.Id == collectionId)
                .Select(c => (new AccessPath("collection", name, AccessName(c.ReadOnly, c.HidePasswords, c.Manage)), c))
                .ToList();
            foreach (var groupId in member.Groups)
            {
                if (groupsById.TryGetValue(groupId, out var group))
                {
                    paths.AddRange(group.Collections.Where(c => c.Id == collectionId)
                        .Select(c => (new AccessPath("group", group.Name, AccessName(c.ReadOnly, c.HidePasswords, c.Manage) + " on " + name), c)));
                }
            }

            return paths;
        }

        AccessGrant? Grant(OrganizationUserDetailsResponseModel member, IEnumerable<Guid> collectionIds)
        {
            if (FullAccessType(member) is { } type)
            {
                return new AccessGrant(member.Id, member.Email, TypeName(member.Type), true, true, true, [new AccessPath("type", type, null)]);
            }

            var paths = collectionIds.SelectMany(c => Paths(member, c)).ToList();
            if (paths.Count == 0)
            {
                return null;
            }

            var readOnly = paths.All(p => p.Flags.ReadOnly);
            var hidePasswords = paths.All(p => p.Flags.HidePasswords);
            var manage = paths.Any(p => p.Flags.Manage);
            return new AccessGrant(member.Id, member.Email, TypeName(member.Type), !readOnly || manage, !hidePasswords, manage, [.. paths.Select(p => p.Path)]);
        }

        return new AccessReport(
            [.. collections.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .Select(c => new CollectionAccessEntry(c.Id, c.Name, [.. confirmed.Select(m => Grant(m, [c.Id])).OfType<AccessGrant>()]))],
            [.. items.OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase)
                .Select(i => new ItemAccessEntry(i.Id, i.Name, i.CollectionIds, [.. confirmed.Select(m => Grant(m, i.CollectionIds)).OfType<AccessGrant>()]))],
            [.. members.Where(m => m.Status != 2).OrderBy(m => m.Email, StringComparer.OrdinalIgnoreCase)]);
    }

    /// <summary>Collection access in the words of <c>--collection NAME:FLAG</c>: manage, edit, read-only and/or hide-passwords.</summary>
    public static string AccessName(bool readOnly, bool hidePasswords, bool manage) =>
        manage ? "manage"
        : readOnly && hidePasswords ? "read-only, hide-passwords"
        : readOnly ? "read-only"
        : hidePasswords ? "hide-passwords"
        : "edit";

    /// <summary>Bitwarden's membership type numbers (bitwarden-organizations.md §1.2) as words.</summary>
    public static string TypeName(int type) => type switch
    {
        0 => "owner",
        1 => "admin",
        2 => "user",
        4 => "custom",
        _ => "type " + type,
    };

    private static string? FullAccessType(OrganizationUserDetailsResponseModel member) => member.Type switch
    {
        0 => "owner",
        1 => "admin",
        4 when member.Permissions?.EditAnyCollection == true => "custom: edit any collection",
        _ => null,
    };
}
