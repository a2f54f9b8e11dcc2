using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;

namespace Coffer.Client.Integrity;

/// <summary>Where an organization of a sync stands against the pins (malicious-server.md BW08, BW09).</summary>
public enum OrganizationTrustState
{
    /// <summary>Pinned and not disabled: its key, items, collections and policies are used.</summary>
    Trusted,

    /// <summary>No pin: this device never saw the membership begin. Nothing of it is used until the user trusts it.</summary>
    Quarantined,

    /// <summary>Pinned, but the server was caught replacing its key or public key: nothing of it is used.</summary>
    Disabled,
}

/// <summary>
/// The organization rules every Coffer client applies to what the server says about organizations
/// (malicious-server.md BW01, BW02, BW08, BW09, §3.13). Membership, keys and policies in a sync are plaintext the server
/// can invent: an organization is used only when <see cref="AccountPins.Organizations"/> has a pin for it (created here,
/// accepted here, or confirmed by the user after reading its fingerprint phrase) that is not disabled, and only with the
/// key id and public key that pin recorded.
/// </summary>
public static class OrganizationTrust
{
    /// <summary>Policy type 8, ResetPassword: account recovery. Coffer has none and never enrols, whatever it says (BW01).</summary>
    public const int ResetPasswordPolicy = 8;

    /// <summary>Whether <paramref name="organizationId"/> may be used, per <paramref name="pins"/> (null: nothing pinned yet).</summary>
    public static OrganizationTrustState State(AccountPins? pins, Guid organizationId) =>
        pins?.Organizations.GetValueOrDefault(organizationId) switch
        {
            null => OrganizationTrustState.Quarantined,
            { DisabledDate: not null } => OrganizationTrustState.Disabled,
            _ => OrganizationTrustState.Trusted,
        };

    /// <summary>Shorthand for <see cref="State"/> being <see cref="OrganizationTrustState.Trusted"/>.</summary>
    public static bool IsTrusted(AccountPins? pins, Guid organizationId) => State(pins, organizationId) == OrganizationTrustState.Trusted;

    /// <summary>
    /// The organization's fingerprint phrase, as the official clients derive it for an organization's public key
    /// (<see cref="FingerprintPhrase"/> with the organization id as the material, malicious-server.md §2.3): what an
    /// owner reads to a member over a channel the server does not carry.
    /// </summary>
    /// <param name="organizationId">The organization id (lowercase GUID, as the server sends it).</param>
    /// <param name="publicKey">The organization's Base64 SPKI.</param>
    /// <exception cref="FormatException">The public key is not Base64.</exception>
    public static string Fingerprint(Guid organizationId, string publicKey) => FingerprintPhrase.Compute(organizationId.ToString(), publicKey);

    /// <summary><see cref="AccountPins.PublicKeyDigest"/> of a Base64 SPKI.</summary>
    /// <exception cref="FormatException">The public key is not Base64.</exception>
    public static string PublicKeyDigest(string publicKey) => AccountPins.PublicKeyDigest(Convert.FromBase64String(publicKey));

    /// <summary>
    /// Whether <paramref name="publicKey"/> (Base64 SPKI) is the one <paramref name="pin"/> recorded; true when the pin
    /// recorded none yet (accepted here before the organization's key pair was readable).
    /// </summary>
    public static bool SamePublicKey(OrganizationPin pin, string publicKey)
    {
        ArgumentNullException.ThrowIfNull(pin);
        try
        {
            return pin.PublicKeySha256 is null || pin.PublicKeySha256 == PublicKeyDigest(publicKey);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the organization key the sync gave (<paramref name="orgKey"/>, unwrapped) is the one <paramref name="pin"/>
    /// recorded; true when the pin recorded none yet (the first key after an acceptance here is taken on first use).
    /// </summary>
    public static bool SameKey(OrganizationPin pin, SymmetricKey orgKey)
    {
        ArgumentNullException.ThrowIfNull(pin);
        ArgumentNullException.ThrowIfNull(orgKey);
        return pin.KeyId is null || pin.KeyId == orgKey.KeyId;
    }

    /// <summary>
    /// The sync's enabled policies that a client may apply: only those of trusted organizations the profile lists the
    /// user in (§3.13: a policy of an organization the server made up, or of a quarantined one, is ignored). ResetPassword
    /// policies are returned for what they ask, never to be obeyed: no Coffer client enrols in account recovery.
    /// </summary>
    public static IReadOnlyList<PolicyResponseModel> Policies(SyncResponseModel? sync, AccountPins? pins)
    {
        if (sync is null)
        {
            return [];
        }

        var member = sync.Profile.Organizations.Select(o => o.Id).ToHashSet();
        return
        [
            .. sync.Policies.Select(ToPolicy)
                .Where(p => p is { Enabled: true } && member.Contains(p.OrganizationId) && IsTrusted(pins, p.OrganizationId))
                .Select(p => p!),
        ];
    }

    private static PolicyResponseModel? ToPolicy(object value)
    {
        try
        {
            return value switch
            {
                PolicyResponseModel typed => typed,
                JsonElement json => json.Deserialize<PolicyResponseModel>(CofferJson.Options),
                _ => JsonSerializer.SerializeToElement(value, CofferJson.Options).Deserialize<PolicyResponseModel>(CofferJson.Options),
            };
        }
        catch (JsonException)
        {
            // A policy that does not parse is not applied.
            return null;
        }
    }
}
