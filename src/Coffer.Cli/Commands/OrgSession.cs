using System.Net;
using Coffer.Cli.Storage;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Client.Organizations;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary>A collection with its name decrypted under the organization key.</summary>
internal sealed record CollectionView(Guid Id, string Name, CollectionResponseModel Model);

/// <summary>
/// Finding organizations, members and collections by name or id for the org, collection and share commands.
/// Every lookup is exact (id, else case-insensitive name); several matches are a usage error (exit 2) that lists
/// the candidates, so a script never acts on the wrong one.
/// </summary>
internal static class OrgSession
{
    public static readonly string[] TypeNames = ["owner", "admin", "user", "custom"];

    /// <summary>Bitwarden's membership type numbers (bitwarden-organizations.md §1.2): 0 owner, 1 admin, 2 user, 4 custom.</summary>
    public static int TypeNumber(string name) => name.ToLowerInvariant() switch
    {
        "owner" => 0,
        "admin" => 1,
        "user" => 2,
        "custom" => 4,
        _ => throw CliException.Usage($"Unknown membership type '{name}'; use user, admin, owner or custom."),
    };

    public static string TypeName(int type) => AccessReport.TypeName(type);

    public static string StatusName(int status) => status switch
    {
        -1 => "revoked",
        0 => "invited",
        1 => "accepted",
        2 => "confirmed",
        _ => "status " + status,
    };

    /// <summary>
    /// One of the caller's Confirmed organizations from the last sync that this device trusts: a quarantined or disabled
    /// one is never offered, as an owner or otherwise (<see cref="OrganizationGuard"/>), and naming it says why.
    /// </summary>
    public static ProfileOrganizationResponseModel FindOrganization(SessionState session, string nameOrId)
    {
        var all = session.Sync?.Profile.Organizations ?? [];
        var trusted = all.Where(o => OrganizationGuard.State(session, o.Id) == OrganizationTrustState.Trusted).ToList();
        if (trusted.Count == all.Count || Matches(trusted, nameOrId))
        {
            return FindAmong(trusted, nameOrId);
        }

        var other = FindAmong(all, nameOrId);
        throw OrganizationGuard.State(session, other.Id) == OrganizationTrustState.Disabled
            ? new ServerIntegrityException(OrganizationGuard.Overwrite, $"Organization '{other.Name}' is disabled on this device: the server replaced its keys.")
            : CliException.NotFound($"'{other.Name}' is quarantined on this device: you were never seen joining it. Check its fingerprint with `coffer org trust {other.Id}`.");
    }

    /// <summary>Any organization of the last sync, trusted or not (for <c>coffer org trust</c>).</summary>
    public static ProfileOrganizationResponseModel FindAmong(IReadOnlyList<ProfileOrganizationResponseModel> organizations, string nameOrId) =>
        Pick(
            organizations,
            nameOrId,
            o => o.Id,
            o => [o.Name],
            "organization",
            o => $"{o.Id} ({o.Name})",
            "Run `coffer sync`, then `coffer org list`.");

    private static bool Matches(IEnumerable<ProfileOrganizationResponseModel> organizations, string nameOrId) =>
        organizations.Any(o => string.Equals(o.Id.ToString(), nameOrId, StringComparison.OrdinalIgnoreCase)
            || string.Equals(o.Name, nameOrId, StringComparison.OrdinalIgnoreCase));

    /// <summary>A member by member id, user id, e-mail address or name.</summary>
    public static OrganizationUserDetailsResponseModel FindMember(IReadOnlyList<OrganizationUserDetailsResponseModel> members, string text) =>
        Pick(
            members,
            text,
            m => m.Id,
            m => [m.Email, m.Name, m.UserId?.ToString()],
            "member",
            m => $"{m.Id} ({m.Email})",
            "Run `coffer org members ORG` to see them.");

    public static CollectionView FindCollection(IReadOnlyList<CollectionView> collections, string nameOrId) =>
        Pick(
            collections,
            nameOrId,
            c => c.Id,
            c => [c.Name],
            "collection",
            c => $"{c.Id} ({c.Name})",
            "Run `coffer collection list ORG` to see them.");

    /// <summary>The organization's collections the caller can see, from the server, names decrypted.</summary>
    public static async Task<IReadOnlyList<CollectionView>> CollectionsAsync(CofferApiClient client, Guid organizationId, SymmetricKey orgKey, CancellationToken ct) =>
        Decrypt(await client.GetCollectionDetailsAsync(organizationId, ct), orgKey);

    /// <summary>The organization's collections in the cached sync, names decrypted (no network).</summary>
    public static IReadOnlyList<CollectionView> SyncedCollections(SessionState session, VaultKeys keys, Guid organizationId) =>
        Decrypt([.. VaultKeys.Collections(session.Sync).Where(c => c.OrganizationId == organizationId)], keys.Organization(organizationId));

    /// <summary>
    /// <c>NAME[:read-only|:hide-passwords|:manage]</c> → collection access (bitwarden-organizations.md §1.3). Only
    /// those three suffixes are read as flags, so a name may itself contain a colon.
    /// </summary>
    public static SelectionReadOnlyRequestModel ParseAccess(IReadOnlyList<CollectionView> collections, string spec)
    {
        var name = spec;
        var (readOnly, hidePasswords, manage) = (false, false, false);
        var colon = spec.LastIndexOf(':');
        if (colon > 0)
        {
            var flag = spec[(colon + 1)..].ToLowerInvariant();
            (readOnly, hidePasswords, manage, var known) = flag switch
            {
                "read-only" => (true, false, false, true),
                "hide-passwords" => (false, true, false, true),
                "manage" => (false, false, true, true),
                _ => (false, false, false, false),
            };
            name = known ? spec[..colon] : spec;
        }

        return new SelectionReadOnlyRequestModel
        {
            Id = FindCollection(collections, name).Id,
            ReadOnly = readOnly,
            HidePasswords = hidePasswords,
            Manage = manage,
        };
    }

    /// <summary>Calls that only owners and admins may make answer 404 to others (pitfall P10): say so.</summary>
    public static async Task<T> AsAdminAsync<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (CofferApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw CliException.NotFound($"The server refused to {what}: only owners and admins (or members with that permission) may.");
        }
    }

    private static IReadOnlyList<CollectionView> Decrypt(IEnumerable<CollectionResponseModel> collections, SymmetricKey orgKey) =>
        [.. collections.Select(c => new CollectionView(c.Id, VaultCrypto.DecryptName(c.Name, orgKey), c)).OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)];

    private static T Pick<T>(
        IEnumerable<T> all, string text, Func<T, Guid> id, Func<T, IEnumerable<string?>> names, string kind, Func<T, string> describe, string hint)
    {
        var list = all.ToList();
        var matches = list.Where(x => string.Equals(id(x).ToString(), text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            matches = [.. list.Where(x => names(x).Any(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)))];
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw CliException.NotFound($"No {kind} matches '{text}'. {hint}"),
            _ => throw CliException.Usage($"'{text}' names {matches.Count} {kind}s: {string.Join(", ", matches.Select(describe))}. Use the id."),
        };
    }
}
