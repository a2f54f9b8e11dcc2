using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Testing.Hostile;

namespace Coffer.Client.Tests.Organizations;

/// <summary>The organization rules against a malicious server (malicious-server.md BW08, BW09, §3.13), without a server.</summary>
public sealed class OrganizationTrustTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private readonly SymmetricKey _userKey = SymmetricKey.Generate();
    private readonly ForgedOrganization _pinned = ForgedOrganization.Create("Pinned");
    private readonly ForgedOrganization _injected = ForgedOrganization.Create("Injected");
    private readonly string _publicKey;
    private readonly string _privateKey;

    public OrganizationTrustTests()
    {
        var (publicKey, privateKey) = AccountKeyPair.Generate(_userKey);
        (_publicKey, _privateKey) = (publicKey, privateKey.ToString());
    }

    public void Dispose()
    {
        _userKey.Dispose();
        _pinned.Dispose();
        _injected.Dispose();
    }

    [Fact]
    public void State_NoPinIsQuarantined_ADisabledPinIsDisabled_APinIsTrusted()
    {
        var pins = Pins();
        pins.Organizations[_injected.Id] = Pin(_injected) with { DisabledDate = Now };

        Assert.Equal(OrganizationTrustState.Trusted, OrganizationTrust.State(pins, _pinned.Id));
        Assert.Equal(OrganizationTrustState.Disabled, OrganizationTrust.State(pins, _injected.Id));
        Assert.Equal(OrganizationTrustState.Quarantined, OrganizationTrust.State(pins, Guid.NewGuid()));
        Assert.Equal(OrganizationTrustState.Quarantined, OrganizationTrust.State(null, _pinned.Id));
    }

    [Fact]
    public void Policies_OnlyEnabledOnesOfTrustedOrganizationsTheUserIsIn()
    {
        var stranger = Guid.NewGuid();
        var disabled = OrganizationScenarios.PolicyJson(_pinned.Id, 9, null);
        disabled["enabled"] = false;
        var sync = Sync(
            _pinned.PolicyJson(),
            OrganizationScenarios.PolicyJson(_pinned.Id, OrganizationTrust.ResetPasswordPolicy, new() { ["autoEnrollEnabled"] = true }),
            disabled,
            _injected.PolicyJson(),
            OrganizationScenarios.PolicyJson(stranger, 5, null));
        var pins = Pins();
        pins.Organizations[stranger] = Pin(_pinned);

        var policies = OrganizationTrust.Policies(sync, pins);

        Assert.Equal([5, 8], policies.Select(p => p.Type).Order());
        Assert.All(policies, p => Assert.Equal(_pinned.Id, p.OrganizationId));
        Assert.Empty(OrganizationTrust.Policies(sync, null));
    }

    [Fact]
    public void SameKey_AndSamePublicKey_HoldOnlyForThePinnedOnes_OrWhenThePinHasNoneYet()
    {
        var pin = Pin(_pinned);
        var accepted = new OrganizationPin(OrganizationOrigin.AcceptedHere, null, null, Now);

        Assert.True(OrganizationTrust.SameKey(pin, _pinned.OrgKey));
        Assert.False(OrganizationTrust.SameKey(pin, _injected.OrgKey));
        Assert.True(OrganizationTrust.SameKey(accepted, _injected.OrgKey));
        Assert.True(OrganizationTrust.SamePublicKey(pin, _pinned.PublicKey));
        Assert.False(OrganizationTrust.SamePublicKey(pin, _injected.PublicKey));
        Assert.False(OrganizationTrust.SamePublicKey(pin, "not base64!"));
        Assert.True(OrganizationTrust.SamePublicKey(accepted, _injected.PublicKey));
    }

    [Fact]
    public void Fingerprint_IsThePhraseOfThePublicKeyWithTheOrganizationIdAsMaterial_AsTheOfficialAccountRecoveryPrompt()
    {
        var phrase = OrganizationTrust.Fingerprint(_pinned.Id, _pinned.PublicKey);

        Assert.Equal(FingerprintPhrase.Compute(_pinned.Id.ToString(), _pinned.PublicKey), phrase);
        Assert.Equal(5, phrase.Split('-').Length);
        Assert.NotEqual(phrase, OrganizationTrust.Fingerprint(_injected.Id, _pinned.PublicKey));
        Assert.NotEqual(phrase, OrganizationTrust.Fingerprint(_pinned.Id, _injected.PublicKey));
    }

    [Fact]
    public void VaultKeysOpen_NeverUnwrapsAnOrganizationTheFilterLeavesOut()
    {
        var sync = Sync();
        var pins = Pins();

        using (var keys = VaultKeys.Open(sync, _userKey, id => OrganizationTrust.IsTrusted(pins, id)))
        {
            Assert.Equal([_pinned.Id], keys.Organizations);
            Assert.Equal(_pinned.OrgKey.KeyId, keys.Organization(_pinned.Id).KeyId);
            Assert.Throws<KeyNotFoundException>(() => keys.For(_injected.Id.ToString()));
        }

        // A key that does not even decrypt is no error while its organization is left out.
        var broken = sync with
        {
            Profile = sync.Profile with
            {
                Organizations = [.. sync.Profile.Organizations.Select(o => o.Id == _injected.Id ? o with { Key = "4." + Convert.ToBase64String(new byte[256]) } : o)],
            },
        };
        using (var keys = VaultKeys.Open(broken, _userKey, id => OrganizationTrust.IsTrusted(pins, id)))
        {
            Assert.Single(keys.Organizations);
        }

        Assert.ThrowsAny<CryptographicException>(() => VaultKeys.Open(broken, _userKey));
    }

    private AccountPins Pins()
    {
        var pins = AccountPins.Create("https://coffer.example", "ann@example.com");
        pins.Organizations[_pinned.Id] = Pin(_pinned);
        return pins;
    }

    private static OrganizationPin Pin(ForgedOrganization org) =>
        new(OrganizationOrigin.CreatedHere, org.OrgKey.KeyId, OrganizationTrust.PublicKeyDigest(org.PublicKey), Now);

    private SyncResponseModel Sync(params System.Text.Json.Nodes.JsonObject[] policies)
    {
        var userId = Guid.NewGuid();
        return new SyncResponseModel
        {
            Profile = new ProfileResponseModel
            {
                Id = userId,
                Email = "ann@example.com",
                Key = "2.unused",
                PrivateKey = _privateKey,
                SecurityStamp = "stamp",
                AccountKeys = new AccountKeysModel
                {
                    PublicKeyEncryptionKeyPair = new PublicKeyEncryptionKeyPairModel { WrappedPrivateKey = _privateKey, PublicKey = _publicKey },
                },
                Organizations =
                [
                    .. new[] { _pinned, _injected }.Select(o => o.Membership(_publicKey, userId).Deserialize<ProfileOrganizationResponseModel>(CofferJson.Options)!),
                ],
            },
            UserDecryption = new UserDecryptionResponseModel
            {
                MasterPasswordUnlock = new MasterPasswordUnlockResponseModel
                {
                    Kdf = new KdfSettingsModel { KdfType = Coffer.Protocol.Crypto.KdfType.Pbkdf2Sha256, Iterations = 600_000 },
                    MasterKeyEncryptedUserKey = "2.unused",
                    MasterKeyWrappedUserKey = "2.unused",
                    Salt = "ann@example.com",
                },
            },
            Folders = [],
            Ciphers = [],
            Policies = [.. policies.Select(p => (object)JsonSerializer.SerializeToElement(p, CofferJson.Options))],
        };
    }
}
