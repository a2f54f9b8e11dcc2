namespace Coffer.Protocol.Api;

/// <summary>
/// Collection create and update body (doc §5.1). <c>users</c> and <c>groups</c> may be null, which on update means
/// "unchanged" (pitfall P16); entries without an id are refused (P17).
/// </summary>
public sealed record CollectionRequestModel
{
    /// <summary>EncString type 2 under the organization key, at most 1000 characters.</summary>
    public string? Name { get; init; }

    public string? ExternalId { get; init; }
    public IReadOnlyList<SelectionReadOnlyRequestModel>? Users { get; init; }
    public IReadOnlyList<SelectionReadOnlyRequestModel>? Groups { get; init; }
}

/// <summary>
/// A collection in its three shapes (doc §5.1): <c>collection</c> (organization list), <c>collectionDetails</c>
/// (sync and <c>GET /api/collections</c>, with the caller's flags) and <c>collectionAccessDetails</c> (details,
/// create and update, with <c>users</c>, <c>groups</c>, <c>assigned</c> and <c>unmanaged</c>). Fields that do not
/// belong to a shape are null and left out (<c>WhenWritingNull</c> is not used for the flags, which are always sent).
/// </summary>
public sealed record CollectionResponseModel
{
    public Guid Id { get; init; }
    public Guid OrganizationId { get; init; }
    public required string Name { get; init; }
    public string? ExternalId { get; init; }
    public int Type { get; init; }
    public string? DefaultUserCollectionEmail { get; init; }
    public bool ReadOnly { get; init; }
    public bool HidePasswords { get; init; }
    public bool Manage { get; init; }
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Assigned { get; init; }
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Unmanaged { get; init; }
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SelectionReadOnlyResponseModel>? Users { get; init; }
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SelectionReadOnlyResponseModel>? Groups { get; init; }
    public string Object { get; init; } = "collection";
}

/// <summary><c>PUT /api/ciphers/{id}/collections_v2</c>, <c>…/collections</c>, <c>…/collections-admin</c> body (doc §6.2).</summary>
public sealed record CipherCollectionsRequestModel
{
    public IReadOnlyList<Guid>? CollectionIds { get; init; }
}

/// <summary><c>PUT /api/ciphers/{id}/share</c> (doc §2.6): the cipher re-encrypted under the organization key, and its collections.</summary>
public sealed record CipherShareRequestModel
{
    public CipherRequestModel? Cipher { get; init; }
    public IReadOnlyList<Guid>? CollectionIds { get; init; }
}

/// <summary><c>PUT /api/ciphers/share</c> (doc §2.6).</summary>
public sealed record CipherBulkShareRequestModel
{
    public IReadOnlyList<CipherWithIdRequestModel>? Ciphers { get; init; }
    public IReadOnlyList<Guid>? CollectionIds { get; init; }
}

/// <summary><c>POST /api/ciphers/bulk-collections</c> (doc §2.6, admin console).</summary>
public sealed record CipherBulkUpdateCollectionsRequestModel
{
    public Guid OrganizationId { get; init; }
    public IReadOnlyList<Guid>? CipherIds { get; init; }
    public IReadOnlyList<Guid>? CollectionIds { get; init; }
    public bool RemoveCollections { get; init; }
}

/// <summary><c>GET /api/organizations/{orgId}/export</c> (doc §6.4): no list wrapper and no <c>object</c>.</summary>
public sealed record OrganizationExportResponseModel
{
    public required IReadOnlyList<CollectionResponseModel> Collections { get; init; }
    public required IReadOnlyList<CipherDetailsResponseModel> Ciphers { get; init; }
}

/// <summary>
/// <c>POST /api/ciphers/import-organization?organizationId=</c> (upstream <c>ImportOrganizationCiphersRequestModel</c>):
/// <c>collectionRelationships[].key</c> indexes <c>ciphers</c>, <c>value</c> indexes <c>collections</c>.
/// </summary>
public sealed record ImportOrganizationCiphersRequestModel
{
    public IReadOnlyList<CipherRequestModel>? Ciphers { get; init; }
    public IReadOnlyList<ImportCollectionModel>? Collections { get; init; }
    public IReadOnlyList<ImportRelationshipModel>? CollectionRelationships { get; init; }
}

/// <summary>A collection of an organization import: an id naming an existing collection of that organization reuses it.</summary>
public sealed record ImportCollectionModel
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? ExternalId { get; init; }
}

/// <summary><c>POST /api/organizations/{orgId}/collections/bulk-access</c> (doc §5.2): access rows added to or updated on every listed collection.</summary>
public sealed record BulkCollectionAccessRequestModel
{
    public IReadOnlyList<Guid>? CollectionIds { get; init; }
    public IReadOnlyList<SelectionReadOnlyRequestModel>? Users { get; init; }
    public IReadOnlyList<SelectionReadOnlyRequestModel>? Groups { get; init; }
}

/// <summary><c>DELETE /api/organizations/{orgId}/collections</c> body (doc §5.2).</summary>
public sealed record CollectionBulkDeleteRequestModel
{
    public IReadOnlyList<Guid>? Ids { get; init; }
}
