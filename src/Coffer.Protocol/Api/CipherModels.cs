using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Coffer.Protocol.Api;

/// <summary>Cipher (item) types, as numbers on the wire (protocol §4.10).</summary>
public enum CipherType
{
    Login = 1,
    SecureNote = 2,
    Card = 3,
    Identity = 4,
    SshKey = 5,
    BankAccount = 6,
    DriversLicense = 7,
    Passport = 8,
}

/// <summary>
/// The encrypted part of a cipher, shared by requests and responses. Every string is an EncString under the
/// user key (or the cipher's own <c>key</c>); the server stores this part as one JSON document and never reads
/// inside it beyond validation. Unknown properties are kept (<see cref="JsonExtensionDataAttribute"/>) so newer
/// clients' additions round-trip, as Vaultwarden does by storing the type object as received.
/// </summary>
public record CipherDataModel
{
    public string? Name { get; set; }
    public string? Notes { get; set; }
    public string? Key { get; set; }
    public int Reprompt { get; set; }
    public CipherLoginModel? Login { get; set; }
    public CipherSecureNoteModel? SecureNote { get; set; }
    public CipherCardModel? Card { get; set; }
    public CipherIdentityModel? Identity { get; set; }
    public CipherSshKeyModel? SshKey { get; set; }
    public JsonObject? BankAccount { get; set; }
    public JsonObject? DriversLicense { get; set; }
    public JsonObject? Passport { get; set; }
    public List<CipherFieldModel>? Fields { get; set; }
    public List<CipherPasswordHistoryModel>? PasswordHistory { get; set; }
}

/// <summary><c>POST /api/ciphers</c>, <c>PUT /api/ciphers/{id}</c> and import entries (protocol §4.10).</summary>
public record CipherRequestModel : CipherDataModel
{
    public CipherType Type { get; set; }
    public string? FolderId { get; set; }
    public string? OrganizationId { get; set; }
    public bool Favorite { get; set; }
    public string? EncryptedFor { get; set; }
    public string? EncryptedByKeyId { get; set; }
    public DateTime? LastKnownRevisionDate { get; set; }
    public DateTime? ArchivedDate { get; set; }

    /// <summary>
    /// Attachment id → re-encrypted file name and key (<c>bitwarden-sharing-features.md</c> §2.9), sent on every edit of
    /// an item with attachments; applied only to attachments of the item edited. A create naming attachments of an
    /// item the caller can read copies them (a clone).
    /// </summary>
    public Dictionary<string, CipherAttachmentModel>? Attachments2 { get; set; }
}

/// <summary><c>POST /api/ciphers/create</c> (organization or clone create): a cipher plus collection ids.</summary>
public sealed record CipherCreateRequestModel
{
    public CipherRequestModel? Cipher { get; init; }
    public IReadOnlyList<Guid>? CollectionIds { get; init; }
}

/// <summary>The "cipherDetails" object of create, edit, restore and sync (protocol §4.11).</summary>
public sealed record CipherDetailsResponseModel : CipherDataModel
{
    public string Object { get; init; } = "cipherDetails";
    public Guid Id { get; init; }
    public CipherType Type { get; init; }
    public string? OrganizationId { get; init; }
    public Guid? FolderId { get; init; }
    public bool Favorite { get; init; }
    public bool Edit { get; init; } = true;
    public bool ViewPassword { get; init; } = true;
    public CipherPermissionsModel Permissions { get; init; } = new();
    public bool OrganizationUseTotp { get; init; } = true;
    public IReadOnlyList<object>? Attachments { get; init; }
    public IReadOnlyList<Guid> CollectionIds { get; init; } = [];
    public DateTime CreationDate { get; init; }
    public DateTime RevisionDate { get; init; }
    public DateTime? DeletedDate { get; init; }
    public DateTime? ArchivedDate { get; init; }
}

/// <summary><c>edit</c> and these two flags are required, or <c>bw</c> refuses to edit, delete or restore locally (protocol §0).</summary>
public sealed record CipherPermissionsModel
{
    public bool Delete { get; init; } = true;
    public bool Restore { get; init; } = true;
}

public abstract record ExtensibleModel
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed record CipherLoginModel : ExtensibleModel
{
    public string? Username { get; set; }
    public string? Password { get; set; }
    public DateTime? PasswordRevisionDate { get; set; }
    public string? Totp { get; set; }
    public bool? AutofillOnPageLoad { get; set; }
    public List<CipherLoginUriModel>? Uris { get; set; }
    public JsonArray? Fido2Credentials { get; set; }
}

public sealed record CipherLoginUriModel : ExtensibleModel
{
    public string? Uri { get; set; }
    public string? UriChecksum { get; set; }
    /// <summary>URI match detection (0 domain … 5 never) or null for the default.</summary>
    public int? Match { get; set; }
}

public sealed record CipherSecureNoteModel : ExtensibleModel
{
    public int Type { get; set; }
}

public sealed record CipherCardModel : ExtensibleModel
{
    public string? CardholderName { get; set; }
    public string? Brand { get; set; }
    public string? Number { get; set; }
    public string? ExpMonth { get; set; }
    public string? ExpYear { get; set; }
    public string? Code { get; set; }
}

public sealed record CipherIdentityModel : ExtensibleModel
{
    public string? Title { get; set; }
    public string? FirstName { get; set; }
    public string? MiddleName { get; set; }
    public string? LastName { get; set; }
    public string? Address1 { get; set; }
    public string? Address2 { get; set; }
    public string? Address3 { get; set; }
    public string? City { get; set; }
    public string? State { get; set; }
    public string? PostalCode { get; set; }
    public string? Country { get; set; }
    public string? Company { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? Ssn { get; set; }
    public string? Username { get; set; }
    public string? PassportNumber { get; set; }
    public string? LicenseNumber { get; set; }
}

public sealed record CipherSshKeyModel : ExtensibleModel
{
    public string? PrivateKey { get; set; }
    public string? PublicKey { get; set; }
    public string? KeyFingerprint { get; set; }
}

/// <summary>Custom field: type 0 text, 1 hidden, 2 boolean, 3 linked (with <c>linkedId</c>).</summary>
public sealed record CipherFieldModel : ExtensibleModel
{
    public int Type { get; set; }
    public string? Name { get; set; }
    public string? Value { get; set; }
    public int? LinkedId { get; set; }
}

public sealed record CipherPasswordHistoryModel : ExtensibleModel
{
    public string? Password { get; set; }
    public DateTime LastUsedDate { get; set; }
}

/// <summary>
/// <c>PUT /api/ciphers/delete</c>, <c>DELETE /api/ciphers</c>, <c>PUT /api/ciphers/restore</c> body; the admin variants
/// (<c>DELETE /api/ciphers/admin</c>, <c>PUT /api/ciphers/delete-admin</c>, <c>…/restore-admin</c>) name the organization.
/// </summary>
public sealed record CipherBulkRequestModel
{
    public IReadOnlyList<Guid>? Ids { get; init; }
    public Guid? OrganizationId { get; init; }
}

/// <summary><c>PUT /api/ciphers/move</c> body; a null folder id moves the items out of any folder.</summary>
public sealed record CipherBulkMoveRequestModel
{
    public IReadOnlyList<Guid>? Ids { get; init; }
    public string? FolderId { get; init; }
}

/// <summary>
/// <c>POST /api/ciphers/import</c> (protocol §4.14): <c>folderRelationships[].key</c> indexes <c>ciphers</c>,
/// <c>value</c> indexes <c>folders</c>.
/// </summary>
public sealed record ImportCiphersRequestModel
{
    public IReadOnlyList<CipherRequestModel>? Ciphers { get; init; }
    public IReadOnlyList<ImportFolderModel>? Folders { get; init; }
    public IReadOnlyList<ImportRelationshipModel>? FolderRelationships { get; init; }
}

public sealed record ImportFolderModel
{
    public string? Id { get; init; }
    public string? Name { get; init; }
}

public sealed record ImportRelationshipModel
{
    public int Key { get; init; }
    public int Value { get; init; }
}

/// <summary><c>GET /api/sync</c> (protocol §4.4). Collections, policies and sends stay empty in a personal vault.</summary>
public sealed record SyncResponseModel
{
    public required ProfileResponseModel Profile { get; init; }
    public required IReadOnlyList<FolderResponseModel> Folders { get; init; }
    public IReadOnlyList<object> Collections { get; init; } = [];
    public IReadOnlyList<object> Policies { get; init; } = [];
    public required IReadOnlyList<CipherDetailsResponseModel> Ciphers { get; init; }
    public object? Domains { get; init; }
    public IReadOnlyList<object> Sends { get; init; } = [];
    public required UserDecryptionResponseModel UserDecryption { get; init; }
    public string Object { get; init; } = "sync";
}
