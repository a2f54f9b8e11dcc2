using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Vault;

/// <summary>
/// The keys of an unlocked vault: the user key and the org key of every Confirmed membership in the sync
/// (unwrapped with the user's private key, bitwarden-organizations.md §2.2). A personal item is under the user
/// key, an organization item under its organization's key (§2.5).
/// </summary>
public sealed class VaultKeys : IDisposable
{
    private readonly Dictionary<Guid, SymmetricKey> _orgKeys;

    private VaultKeys(SymmetricKey userKey, Dictionary<Guid, SymmetricKey> orgKeys)
    {
        UserKey = userKey;
        _orgKeys = orgKeys;
    }

    public SymmetricKey UserKey { get; }

    public IReadOnlyCollection<Guid> Organizations => _orgKeys.Keys;

    /// <summary>
    /// The user key plus the key of every organization in <paramref name="sync"/>'s profile that
    /// <paramref name="useOrganization"/> allows (null: all). An organization left out is never unwrapped, so nothing can
    /// be encrypted under its key (a quarantined organization, malicious-server.md BW08). The caller keeps owning
    /// <paramref name="userKey"/> (it is not disposed with this object).
    /// </summary>
    /// <exception cref="CryptographicException">The private key or an organization key does not decrypt.</exception>
    public static VaultKeys Open(SyncResponseModel? sync, SymmetricKey userKey, Func<Guid, bool>? useOrganization = null)
    {
        ArgumentNullException.ThrowIfNull(userKey);
        var orgKeys = new Dictionary<Guid, SymmetricKey>();
        var organizations = (sync?.Profile.Organizations ?? []).Where(o => useOrganization?.Invoke(o.Id) ?? true).ToList();
        if (organizations.Count > 0)
        {
            using var privateKey = AccountKeyPair.DecryptPrivateKey(EncString.Parse(sync!.Profile.PrivateKey), userKey);
            try
            {
                foreach (var org in organizations)
                {
                    orgKeys[org.Id] = OrganizationKeys.Unwrap(org.Key, privateKey);
                }
            }
            catch
            {
                foreach (var key in orgKeys.Values)
                {
                    key.Dispose();
                }

                throw;
            }
        }

        return new VaultKeys(userKey, orgKeys);
    }

    /// <summary>The key of this organization.</summary>
    /// <exception cref="KeyNotFoundException">The user is not a Confirmed member of it (no key in the sync).</exception>
    public SymmetricKey Organization(Guid organizationId) =>
        _orgKeys.TryGetValue(organizationId, out var key) ? key
            : throw new KeyNotFoundException($"No key for organization {organizationId}: not a confirmed member, or not synced since.");

    /// <summary>The key an item with this <c>organizationId</c> (null: personal) is encrypted under.</summary>
    public SymmetricKey For(string? organizationId) =>
        string.IsNullOrEmpty(organizationId) ? UserKey : Organization(Guid.Parse(organizationId));

    /// <summary>Zeroes the organization keys; the user key stays with its owner.</summary>
    public void Dispose()
    {
        foreach (var key in _orgKeys.Values)
        {
            key.Dispose();
        }
    }

    /// <summary>
    /// The sync's <c>collections[]</c> as typed models, whether the model carries them typed or as raw JSON
    /// (a cached sync read back from disk).
    /// </summary>
    public static IReadOnlyList<CollectionResponseModel> Collections(SyncResponseModel? sync) =>
        sync is null ? [] : [.. ((IEnumerable<object>)sync.Collections).Select(ToCollection)];

    private static CollectionResponseModel ToCollection(object value) => value switch
    {
        CollectionResponseModel typed => typed,
        JsonElement json => json.Deserialize<CollectionResponseModel>(CofferJson.Options)
            ?? throw new JsonException("A null entry in the sync's collections."),
        _ => JsonSerializer.SerializeToElement(value, CofferJson.Options).Deserialize<CollectionResponseModel>(CofferJson.Options)
            ?? throw new JsonException("A null entry in the sync's collections."),
    };
}
