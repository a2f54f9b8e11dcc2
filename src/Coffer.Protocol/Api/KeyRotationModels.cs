using System.Text.Json;
using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Api;

/// <summary>
/// <c>GET /api/accounts/key-management/key-rotation-data</c> (account doc §3.3 step 2). The SDK fails to parse the
/// answer unless all four arrays are present; a personal-vault server has nothing to put in them.
/// </summary>
public sealed record KeyRotationDataResponseModel
{
    public IReadOnlyList<object> OrganizationPasswordResetKeyData { get; init; } = [];
    public IReadOnlyList<object> EmergencyAccessKeyData { get; init; } = [];
    public IReadOnlyList<object> TrustedDeviceKeyData { get; init; } = [];
    public IReadOnlyList<object> PasskeyKeyData { get; init; } = [];
    public string Object { get; init; } = "keyRotationData";
}

/// <summary>
/// <c>POST /api/accounts/key-management/rotate-user-account-keys</c> (account doc §3.3 step 3, SDK
/// <c>RotateUserAccountKeysAndDataRequestModel</c>): a new user key, and everything it protects re-encrypted, in
/// one request. <see cref="NewUserKeyId"/> is 32 lowercase hex characters.
/// </summary>
public sealed record RotateUserAccountKeysAndDataRequestModel
{
    public string? OldMasterKeyAuthenticationHash { get; init; }
    public string? NewUserKeyId { get; init; }
    public AccountKeysRequestModel? AccountKeys { get; init; }
    public UnlockDataRequestModel? AccountUnlockData { get; init; }
    public AccountDataRequestModel? AccountData { get; init; }
}

/// <summary>The same RSA key pair, its private half re-wrapped under the new user key; the public key must not change.</summary>
public sealed record AccountKeysRequestModel
{
    public string? UserKeyEncryptedAccountPrivateKey { get; init; }
    public string? AccountPublicKey { get; init; }
    public PublicKeyEncryptionKeyPairRequestModel? PublicKeyEncryptionKeyPair { get; init; }
}

public sealed record PublicKeyEncryptionKeyPairRequestModel
{
    public string? WrappedPrivateKey { get; init; }
    public string? PublicKey { get; init; }
    public string? SignedPublicKey { get; init; }
}

/// <summary>
/// How each unlock method reaches the new user key. Only the master password applies to a personal vault; the
/// other lists name emergency-access grants, organisations, passkeys and trusted devices, of which Coffer has none.
/// </summary>
public sealed record UnlockDataRequestModel
{
    public MasterPasswordUnlockAndAuthenticationDataModel? MasterPasswordUnlockData { get; init; }
    public IReadOnlyList<JsonElement>? EmergencyAccessUnlockData { get; init; }
    public IReadOnlyList<JsonElement>? OrganizationAccountRecoveryUnlockData { get; init; }
    public IReadOnlyList<JsonElement>? PasskeyUnlockData { get; init; }
    public IReadOnlyList<JsonElement>? DeviceKeyUnlockData { get; init; }
}

/// <summary>
/// KDF and salt (both unchanged by a rotation), the login hash, and the new user key wrapped by the stretched
/// master key. <see cref="Email"/> and <see cref="MasterPasswordSalt"/> carry the same salt.
/// </summary>
public sealed record MasterPasswordUnlockAndAuthenticationDataModel
{
    public KdfType KdfType { get; init; }
    public int KdfIterations { get; init; }
    public int? KdfMemory { get; init; }
    public int? KdfParallelism { get; init; }
    public string? Email { get; init; }
    public string? MasterPasswordSalt { get; init; }
    public string? MasterKeyAuthenticationHash { get; init; }
    public string? MasterKeyEncryptedUserKey { get; init; }
    public string? MasterPasswordHint { get; init; }
    public string? ContainedKeyId { get; init; }

    public KdfConfig ToKdfConfig() => new(KdfType, KdfIterations, KdfMemory, KdfParallelism);
}

/// <summary>Every personal cipher, folder and send, re-encrypted under the new user key, by id.</summary>
public sealed record AccountDataRequestModel
{
    public IReadOnlyList<CipherWithIdRequestModel>? Ciphers { get; init; }
    public IReadOnlyList<FolderWithIdRequestModel>? Folders { get; init; }
    public IReadOnlyList<SendWithIdRequestModel>? Sends { get; init; }
}

/// <summary>A cipher request (protocol §4.10) naming the stored cipher it replaces.</summary>
public sealed record CipherWithIdRequestModel : CipherRequestModel
{
    public Guid? Id { get; set; }
}

public sealed record FolderWithIdRequestModel
{
    public Guid? Id { get; init; }
    public string? Name { get; init; }
}
