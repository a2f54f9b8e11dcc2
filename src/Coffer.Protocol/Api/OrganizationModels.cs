namespace Coffer.Protocol.Api;

/// <summary>
/// The permissions object of a Custom member (<c>bitwarden-organizations.md</c> §1.4). Clients read it only for
/// type 4; for the other types it is sent all false.
/// </summary>
public sealed record PermissionsModel
{
    public bool AccessEventLogs { get; init; }
    public bool AccessImportExport { get; init; }
    public bool AccessReports { get; init; }
    public bool CreateNewCollections { get; init; }
    public bool EditAnyCollection { get; init; }
    public bool DeleteAnyCollection { get; init; }
    public bool ManageGroups { get; init; }
    public bool ManagePolicies { get; init; }
    public bool ManageSso { get; init; }
    public bool ManageUsers { get; init; }
    public bool ManageResetPassword { get; init; }
    public bool ManageScim { get; init; }
}

/// <summary>The organization's RSA key pair: <c>keys</c> of the create request and <c>POST …/keys</c> (doc §2.3, §3.2).</summary>
public sealed record OrganizationKeysRequestModel
{
    /// <summary>Base64 SPKI.</summary>
    public string? PublicKey { get; init; }

    /// <summary>EncString type 2 of the PKCS#8 private key under the organization key.</summary>
    public string? EncryptedPrivateKey { get; init; }
}

/// <summary><c>POST /api/organizations</c> (doc §2.3). Plan, payment and business fields are accepted and ignored.</summary>
public sealed record OrganizationCreateRequestModel
{
    /// <summary>Plain text, 1–50 characters.</summary>
    public string? Name { get; init; }

    public string? BillingEmail { get; init; }

    /// <summary>The organization key wrapped with the creator's own public key: EncString type 4.</summary>
    public string? Key { get; init; }

    public OrganizationKeysRequestModel? Keys { get; init; }

    /// <summary>The first collection's name, an EncString under the organization key; none is created without it.</summary>
    public string? CollectionName { get; init; }
}

/// <summary><c>PUT /api/organizations/{id}</c> (doc §3.2).</summary>
public sealed record OrganizationUpdateRequestModel
{
    public string? Name { get; init; }
    public string? BillingEmail { get; init; }
}

/// <summary>The "organization" object of create, read and update (doc §3.1): an unlimited self-hosted plan.</summary>
public sealed record OrganizationResponseModel
{
    public Guid Id { get; init; }
    public required string Name { get; init; }
    public required string BillingEmail { get; init; }
    public string? BusinessName { get; init; }
    public int PlanType { get; init; } = 6;
    public int? Seats { get; init; }
    public int? MaxCollections { get; init; }
    public int MaxStorageGb { get; init; } = 32767;
    public bool Use2fa { get; init; } = true;
    public bool UseCustomPermissions { get; init; } = true;
    public bool UseDirectory { get; init; }
    public bool UseEvents { get; init; } = true;
    public bool UseGroups { get; init; } = true;
    public bool UseTotp { get; init; } = true;
    public bool UsePolicies { get; init; } = true;
    public bool UseScim { get; init; }
    public bool UseSso { get; init; }
    public bool UseKeyConnector { get; init; }
    public bool UsePasswordManager { get; init; } = true;
    public bool UseSecretsManager { get; init; }
    public bool SelfHost { get; init; } = true;
    public bool UseApi { get; init; }
    public bool UseResetPassword { get; init; }
    public bool UsersGetPremium { get; init; } = true;
    public bool HasPublicAndPrivateKeys { get; init; }
    public bool AllowAdminAccessToAllCollectionItems { get; init; } = true;
    public bool LimitCollectionCreation { get; init; } = true;
    public bool LimitCollectionDeletion { get; init; } = true;
    public bool LimitItemDeletion { get; init; }
    public string Object { get; init; } = "organization";
}

/// <summary>
/// One entry of <c>profile.organizations[]</c> in sync and profile (doc §7.1): Confirmed memberships only, each with
/// its type-4 key. <c>id</c>, <c>key</c>, <c>status</c>, <c>type</c>, <c>enabled</c> and <c>usePolicies</c> must be
/// present with their JSON types or the CLI's SDK fails (pitfalls P1, P6); every other field is sent too because the
/// web vault and the extensions gate features on them.
/// </summary>
public sealed record ProfileOrganizationResponseModel
{
    public Guid Id { get; init; }
    public required string Name { get; init; }
    public required string Key { get; init; }
    public int Status { get; init; } = 2;
    public int Type { get; init; }
    public bool Enabled { get; init; } = true;
    public bool UsePolicies { get; init; } = true;
    public Guid OrganizationUserId { get; init; }
    public Guid UserId { get; init; }
    public required PermissionsModel Permissions { get; init; }
    public string? Identifier { get; init; }
    public int? Seats { get; init; }
    public int? MaxCollections { get; init; }
    public int MaxStorageGb { get; init; } = 32767;
    public bool UsersGetPremium { get; init; } = true;
    public bool Use2fa { get; init; } = true;
    public bool UseDirectory { get; init; }
    public bool UseEvents { get; init; } = true;
    public bool UseGroups { get; init; } = true;
    public bool UseTotp { get; init; } = true;
    public bool UseScim { get; init; }
    public bool UseApi { get; init; }
    public bool SelfHost { get; init; } = true;
    public bool HasPublicAndPrivateKeys { get; init; }
    public bool ResetPasswordEnrolled { get; init; }
    public bool UseResetPassword { get; init; }
    public bool SsoBound { get; init; }
    public bool UseSso { get; init; }
    public bool UseKeyConnector { get; init; }
    public bool UseSecretsManager { get; init; }
    public bool UsePasswordManager { get; init; } = true;
    public bool UseCustomPermissions { get; init; } = true;
    public bool UseActivateAutofillPolicy { get; init; }
    public bool UseAdminSponsoredFamilies { get; init; }
    public bool UseRiskInsights { get; init; }
    public bool UseDisableSMAdsForUsers { get; init; } = true;
    public bool UseInviteLinks { get; init; }
    public bool UseMyItems { get; init; }
    public bool UseOrganizationDomains { get; init; }
    public bool UsePam { get; init; }
    public bool UsePhishingBlocker { get; init; }
    public Guid? ProviderId { get; init; }
    public string? ProviderName { get; init; }
    public int? ProviderType { get; init; }
    public string? FamilySponsorshipFriendlyName { get; init; }
    public bool FamilySponsorshipAvailable { get; init; }
    public int ProductTierType { get; init; } = 3;
    public bool KeyConnectorEnabled { get; init; }
    public string? KeyConnectorUrl { get; init; }
    public DateTime? FamilySponsorshipLastSyncDate { get; init; }
    public DateTime? FamilySponsorshipValidUntil { get; init; }
    public bool? FamilySponsorshipToDelete { get; init; }
    public bool AccessSecretsManager { get; init; }
    public bool LimitCollectionCreation { get; init; } = true;
    public bool LimitCollectionDeletion { get; init; } = true;
    public bool LimitItemDeletion { get; init; }
    public bool AllowAdminAccessToAllCollectionItems { get; init; } = true;
    public bool UserIsClaimedByOrganization { get; init; }
    public string Object { get; init; } = "profileOrganization";
}

/// <summary><c>{"object":"organizationPublicKey","publicKey"}</c> of <c>GET …/public-key</c> and <c>…/keys</c> (doc §3.2, T0).</summary>
public sealed record OrganizationPublicKeyResponseModel
{
    public string? PublicKey { get; init; }
    public string Object { get; init; } = "organizationPublicKey";
}

/// <summary><c>POST /api/organizations/{id}/keys</c> answer (doc §3.2): the pair just stored, private key still under the organization key.</summary>
public sealed record OrganizationKeysResponseModel
{
    public string? PublicKey { get; init; }
    public string? PrivateKey { get; init; }
    public string Object { get; init; } = "organizationKeys";
}
