namespace Coffer.Protocol.Api;

/// <summary>
/// One audit event in Bitwarden's shape (protocol account doc §5.1; upstream <c>EventResponseModel</c>). Every
/// key is always present; the organisation, provider and secrets-manager fields are null on a personal vault.
/// <see cref="Type"/> is Bitwarden's number (1000 logged in, 1005 failed login, 1100 item created, …);
/// Coffer's own actions use 9000 and up.
/// </summary>
public sealed record EventResponseModel
{
    public int Type { get; init; }
    public Guid? UserId { get; init; }
    public Guid? OrganizationId { get; init; }
    public Guid? ProviderId { get; init; }
    public Guid? CipherId { get; init; }
    public Guid? CollectionId { get; init; }
    public Guid? GroupId { get; init; }
    public Guid? PolicyId { get; init; }
    public Guid? OrganizationUserId { get; init; }
    public Guid? ProviderUserId { get; init; }
    public Guid? ProviderOrganizationId { get; init; }
    public Guid? ActingUserId { get; init; }
    public Guid? InstallationId { get; init; }
    public DateTime Date { get; init; }
    public int? DeviceType { get; init; }
    public string? IpAddress { get; init; }
    public int? SystemUser { get; init; }
    public string? DomainName { get; init; }
    public Guid? SecretId { get; init; }
    public Guid? ProjectId { get; init; }
    public Guid? ServiceAccountId { get; init; }
    public Guid? GrantedServiceAccountId { get; init; }
    public Guid? SendId { get; init; }
    public string Object { get; init; } = "event";
}
