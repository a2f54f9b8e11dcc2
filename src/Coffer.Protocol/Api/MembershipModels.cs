namespace Coffer.Protocol.Api;

/// <summary>
/// One collection's access in member, collection and invite bodies (doc §4.2, §5.1): <c>{id, readOnly,
/// hidePasswords, manage}</c>. <c>id</c> is a collection id in member bodies and a member or group id in
/// collection bodies; it may be missing in what <c>bw</c> sends (pitfall P17), so it is nullable here and
/// validated by the server.
/// </summary>
public sealed record SelectionReadOnlyRequestModel
{
    public Guid? Id { get; init; }
    public bool ReadOnly { get; init; }
    public bool HidePasswords { get; init; }
    public bool Manage { get; init; }
}

/// <summary>The same access as a response (<c>users[]</c>, <c>groups[]</c>, <c>collections[]</c>).</summary>
public sealed record SelectionReadOnlyResponseModel
{
    public Guid Id { get; init; }
    public bool ReadOnly { get; init; }
    public bool HidePasswords { get; init; }
    public bool Manage { get; init; }
}

/// <summary><c>POST /api/organizations/{orgId}/users/invite</c> (doc §4.2).</summary>
public sealed record OrganizationUserInviteRequestModel
{
    public IReadOnlyList<string>? Emails { get; init; }
    public int? Type { get; init; }
    public PermissionsModel? Permissions { get; init; }
    public IReadOnlyList<SelectionReadOnlyRequestModel>? Collections { get; init; }
    public IReadOnlyList<Guid>? Groups { get; init; }
    public bool AccessSecretsManager { get; init; }
}

/// <summary><c>PUT /api/organizations/{orgId}/users/{memberId}</c> (doc §4.5): replaces type, permissions and access.</summary>
public sealed record OrganizationUserUpdateRequestModel
{
    public int? Type { get; init; }
    public PermissionsModel? Permissions { get; init; }
    public IReadOnlyList<SelectionReadOnlyRequestModel>? Collections { get; init; }
    public IReadOnlyList<Guid>? Groups { get; init; }
    public bool AccessSecretsManager { get; init; }
}

/// <summary><c>POST …/users/{memberId}/accept</c> (doc §4.3).</summary>
public sealed record OrganizationUserAcceptRequestModel
{
    public string? Token { get; init; }
    public string? ResetPasswordKey { get; init; }
}

/// <summary><c>POST …/users/{memberId}/confirm</c> (doc §4.4): the organization key wrapped for the member (type 4).</summary>
public sealed record OrganizationUserConfirmRequestModel
{
    public string? Key { get; init; }
    public string? DefaultUserCollectionName { get; init; }
}

/// <summary>One entry of the bulk confirm body.</summary>
public sealed record OrganizationUserBulkConfirmEntryModel
{
    public Guid Id { get; init; }
    public string? Key { get; init; }
}

/// <summary><c>POST …/users/confirm</c> (doc §4.4).</summary>
public sealed record OrganizationUserBulkConfirmRequestModel
{
    public IReadOnlyList<OrganizationUserBulkConfirmEntryModel>? Keys { get; init; }
    public string? DefaultUserCollectionName { get; init; }
}

/// <summary><c>{"ids":[…]}</c> bodies: bulk public keys, revoke, restore, remove, reinvite (doc §4.4, §4.5).</summary>
public sealed record OrganizationUserBulkRequestModel
{
    public IReadOnlyList<Guid>? Ids { get; init; }
}

/// <summary>One result of a bulk member operation: <c>{"id","error","object"}</c>, error empty on success.</summary>
public sealed record OrganizationUserBulkResponseModel
{
    public Guid Id { get; init; }
    public string Error { get; init; } = "";
    public string Object { get; init; } = "OrganizationBulkConfirmResponseModel";
}

/// <summary>One entry of <c>POST …/users/public-keys</c> (doc §4.4).</summary>
public sealed record OrganizationUserPublicKeyResponseModel
{
    public Guid Id { get; init; }
    public Guid UserId { get; init; }
    public required string Key { get; init; }
    public string Object { get; init; } = "organizationUserPublicKeyResponseModel";
}

/// <summary><c>GET /api/users/{userId}/public-key</c> (doc §2.4): <c>{"userId","publicKey","object":"userKey"}</c>.</summary>
public sealed record UserKeyResponseModel
{
    public Guid UserId { get; init; }
    public required string PublicKey { get; init; }
    public string Object { get; init; } = "userKey";
}

/// <summary>A member as the member list and member read return it (doc §4.1, <c>organizationUserUserDetails</c>).</summary>
public sealed record OrganizationUserDetailsResponseModel
{
    public Guid Id { get; init; }
    public Guid? UserId { get; init; }
    public string? Name { get; init; }
    public required string Email { get; init; }
    public string? ExternalId { get; init; }
    public string? AvatarColor { get; init; }
    public IReadOnlyList<Guid> Groups { get; init; } = [];
    public IReadOnlyList<SelectionReadOnlyResponseModel> Collections { get; init; } = [];
    public int Status { get; init; }
    public int Type { get; init; }
    public bool AccessAll { get; init; }
    public bool TwoFactorEnabled { get; init; }
    public bool ResetPasswordEnrolled { get; init; }
    public bool HasMasterPassword { get; init; } = true;
    public PermissionsModel? Permissions { get; init; }
    public bool SsoBound { get; init; }
    public bool ManagedByOrganization { get; init; }
    public bool ClaimedByOrganization { get; init; }
    public bool UsesKeyConnector { get; init; }
    public bool AccessSecretsManager { get; init; }
    public string Object { get; init; } = "organizationUserUserDetails";
}

/// <summary><c>GET …/users/mini-details</c> entry (doc §4.1).</summary>
public sealed record OrganizationUserMiniDetailsResponseModel
{
    public Guid Id { get; init; }
    public Guid? UserId { get; init; }
    public int Type { get; init; }
    public int Status { get; init; }
    public string? Name { get; init; }
    public required string Email { get; init; }
    public string Object { get; init; } = "organizationUserUserMiniDetails";
}

/// <summary>
/// What an invite answers in Coffer while no e-mail transport is configured: for each invited address, the member id
/// and the link the inviter passes on (doc §4.2, with <c>initOrganization</c> and <c>orgUserHasExistingUser</c>,
/// pitfall P18). The clients ignore this body.
/// </summary>
public sealed record OrganizationInvitationResponseModel
{
    public Guid Id { get; init; }
    public required string Email { get; init; }
    public int Status { get; init; }
    public string? InvitationUrl { get; init; }
    public string Object { get; init; } = "organizationInvitation";
}
