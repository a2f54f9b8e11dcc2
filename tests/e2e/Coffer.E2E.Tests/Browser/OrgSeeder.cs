using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.E2E.Tests.Browser;

/// <summary>An organization made by <see cref="OrgSeeder"/>: its id, and its one collection's id and name.</summary>
public sealed record SeededOrg(Guid Id, string Name, Guid CollectionId, string CollectionName);

/// <summary>An invited (Accepted) member: its member id, its account's id and public key (Base64 SPKI).</summary>
public sealed record InvitedMember(Guid MemberId, Guid UserId, string PublicKey);

/// <summary>
/// Sets up organizations from C# with Coffer.Client, as the CLI would, for browser tests whose subject is not the
/// setup: create (the org key wrapped for the owner, the org key pair, the first collection), invite an existing
/// account (accepted at once without e-mail delivery), confirm it with the org key wrapped for its public key, and
/// add items straight into the collection.
/// </summary>
public static class OrgSeeder
{
    /// <summary>Creates an organization owned by <paramref name="owner"/> with one collection.</summary>
    public static async Task<SeededOrg> CreateAsync(Uri server, string? caPemPath, SeededVault owner, string name, string collectionName)
    {
        using var session = await Session.OpenAsync(server, caPemPath, owner);
        var ownPublicKey = (await session.Client.GetUserPublicKeyAsync(session.UserId)).PublicKey;
        var keys = OrganizationKeys.Create(ownPublicKey);
        using var orgKey = keys.OrgKey;
        var created = await session.Client.CreateOrganizationAsync(new OrganizationCreateRequestModel
        {
            Name = name,
            BillingEmail = owner.Email,
            Key = keys.WrappedForCreator,
            Keys = new OrganizationKeysRequestModel { PublicKey = keys.PublicKey, EncryptedPrivateKey = keys.EncryptedPrivateKey },
            CollectionName = VaultCrypto.EncryptName(collectionName, orgKey),
        });
        var collection = (await session.Client.GetCollectionDetailsAsync(created.Id)).Single();
        return new SeededOrg(created.Id, name, collection.Id, collectionName);
    }

    /// <summary>Invites <paramref name="member"/> as a User with this access to the collection, then confirms it.</summary>
    public static async Task AddMemberAsync(Uri server, string? caPemPath, SeededVault owner, SeededOrg org, SeededVault member, bool readOnly, bool hidePasswords)
    {
        var invited = await InviteAsync(server, caPemPath, owner, org, member, readOnly, hidePasswords);
        using var session = await Session.OpenAsync(server, caPemPath, owner);
        using var keys = session.Keys();
        await session.Client.ConfirmMemberAsync(org.Id, invited.MemberId, OrganizationKeys.Wrap(keys.Organization(org.Id), invited.PublicKey));
    }

    /// <summary>
    /// Invites <paramref name="member"/> (an existing account, so Accepted at once) without confirming it; returns
    /// its member id, user id and public key.
    /// </summary>
    public static async Task<InvitedMember> InviteAsync(Uri server, string? caPemPath, SeededVault owner, SeededOrg org, SeededVault member, bool readOnly, bool hidePasswords)
    {
        ArgumentNullException.ThrowIfNull(org);
        ArgumentNullException.ThrowIfNull(member);
        using var session = await Session.OpenAsync(server, caPemPath, owner);
        await session.Client.InviteMembersAsync(org.Id, new OrganizationUserInviteRequestModel
        {
            Emails = [member.Email],
            Type = 2,
            Collections = [new SelectionReadOnlyRequestModel { Id = org.CollectionId, ReadOnly = readOnly, HidePasswords = hidePasswords }],
            Groups = [],
        });
        var invited = (await session.Client.GetMembersAsync(org.Id)).Single(m => string.Equals(m.Email, member.Email, StringComparison.OrdinalIgnoreCase));
        var userId = invited.UserId ?? throw new InvalidOperationException("The invitation was not accepted.");
        return new InvitedMember(invited.Id, userId, (await session.Client.GetUserPublicKeyAsync(userId)).PublicKey);
    }

    /// <summary>Adds an item to the organization's collection, encrypted under the org key; returns its id.</summary>
    public static async Task<Guid> AddItemAsync(Uri server, string? caPemPath, SeededVault owner, SeededOrg org, VaultItem item)
    {
        ArgumentNullException.ThrowIfNull(org);
        using var session = await Session.OpenAsync(server, caPemPath, owner);
        using var keys = session.Keys();
        var request = VaultCrypto.Encrypt(item, keys.Organization(org.Id));
        request.OrganizationId = org.Id.ToString();
        return (await session.Client.CreateOrganizationCipherAsync(request, [org.CollectionId])).Id;
    }

    /// <summary>
    /// The names of an organization's collections as <paramref name="account"/> decrypts them with the org key its
    /// sync carries: checks what a browser created from the outside.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CollectionNamesAsync(Uri server, string? caPemPath, SeededVault account, Guid organizationId)
    {
        using var session = await Session.OpenAsync(server, caPemPath, account);
        using var keys = session.Keys();
        var orgKey = keys.Organization(organizationId);
        return [.. (await session.Client.GetCollectionDetailsAsync(organizationId)).Select(c => VaultCrypto.DecryptName(c.Name, orgKey)).Order(StringComparer.Ordinal)];
    }

    /// <summary>A logged-in client with the account's user key and its last sync.</summary>
    private sealed class Session : IDisposable
    {
        private Session(CofferApiClient client, SymmetricKey userKey)
        {
            Client = client;
            UserKey = userKey;
        }

        public CofferApiClient Client { get; }

        public SymmetricKey UserKey { get; }

        public Guid UserId { get; private set; }

        private SyncResponseModel? Sync { get; set; }

        public static async Task<Session> OpenAsync(Uri server, string? caPemPath, SeededVault account)
        {
            var client = new CofferApiClient(CofferHttp.CreateHandler(caPemPath), server, Guid.NewGuid().ToString());
            try
            {
                var masterKey = MasterKeys.DeriveMasterKey(account.Password, account.Email, KdfConfig.DefaultPbkdf2);
                var login = await client.LoginAsync(account.Email, MasterKeys.HashMasterPassword(masterKey, account.Password), twoFactor: null);
                var token = login is LoginSucceeded ok ? ok.Token : throw new InvalidOperationException($"Logging {account.Email} in answered {login}.");
                client.AccessToken = token.AccessToken;
                var session = new Session(client, UserKeys.Unlock(token.Key!, account.Password, account.Email, KdfConfig.DefaultPbkdf2));
                session.Sync = await client.SyncAsync();
                session.UserId = session.Sync.Profile.Id;
                return session;
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        /// <summary>The user key and the organization keys of the sync made at login.</summary>
        public VaultKeys Keys() => VaultKeys.Open(Sync, UserKey);

        public void Dispose()
        {
            UserKey.Dispose();
            Client.Dispose();
        }
    }
}
