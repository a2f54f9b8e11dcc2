using Coffer.Protocol.Api;

namespace Coffer.Server.Accounts;

/// <summary>The account's wire shapes, shared by the token response, profile and sync.</summary>
public static class AccountResponses
{
    public static AccountKeysModel AccountKeys(User user) => new()
    {
        PublicKeyEncryptionKeyPair = new PublicKeyEncryptionKeyPairModel { WrappedPrivateKey = user.PrivateKey, PublicKey = user.PublicKey },
    };

    /// <summary>
    /// The profile; <paramref name="organizations"/> are the account's Confirmed memberships (OrganizationResponses.ProfileOrganizationsAsync),
    /// <paramref name="securityKeys"/> whether it has security keys (TwoFactor/TwoFactorProviders), one of the providers of <c>twoFactorEnabled</c>.
    /// </summary>
    public static ProfileResponseModel Profile(User user, IReadOnlyList<ProfileOrganizationResponseModel>? organizations = null, bool securityKeys = false) => new()
    {
        Organizations = organizations ?? [],
        Id = user.Id,
        Name = user.Name,
        Email = user.Email,
        Key = user.Key,
        PrivateKey = user.PrivateKey,
        AccountKeys = AccountKeys(user),
        SecurityStamp = user.SecurityStamp,
        CreationDate = user.CreationDate,
        TwoFactorEnabled = user.TotpSecret is not null || user.TwoFactorEmail is not null || securityKeys,
    };

    public static UserDecryptionResponseModel UserDecryption(User user) => new()
    {
        MasterPasswordUnlock = new MasterPasswordUnlockResponseModel
        {
            Kdf = KdfSettingsModel.From(user.KdfConfig),
            MasterKeyEncryptedUserKey = user.Key,
            MasterKeyWrappedUserKey = user.Key,
            Salt = user.Email,
        },
        UserKeyId = user.UserKeyId,
    };
}
