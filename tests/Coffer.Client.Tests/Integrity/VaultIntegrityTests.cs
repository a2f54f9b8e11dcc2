using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests.Integrity;

/// <summary>The sync checks of malicious-server.md BW04, BW05, BW10 and §3.13 against the per-cipher pins.</summary>
public sealed class VaultIntegrityTests : IDisposable
{
    private static readonly DateTime T0 = new(2026, 11, 21, 19, 13, 40, DateTimeKind.Utc);
    private readonly SymmetricKey _userKey = SymmetricKey.Generate();
    private readonly AccountPins _pins = AccountPins.Create("https://coffer.example", "ann@example.com");

    public void Dispose() => _userKey.Dispose();

    [Fact]
    public void FirstSync_PinsEveryCipher_AndIndexesEveryCiphertext()
    {
        var a = Login("A", "ann", "pw-a");
        var b = Login("B", "bob", "pw-b", keyed: false);

        var findings = Sync(a, b);

        Assert.Empty(findings);
        Assert.Equal(2, _pins.Ciphers.Count);
        Assert.True(_pins.Ciphers[a.Id].HasKey);
        Assert.False(_pins.Ciphers[b.Id].HasKey);
        Assert.True(_pins.CipherKeysInUse);
        Assert.Equal(new CiphertextSite(a.Id, "login.password"), _pins.CiphertextIndex[AccountPins.CiphertextDigest(a.Login!.Password!)]);
        Assert.Equal(new CiphertextSite(a.Id, "key"), _pins.CiphertextIndex[AccountPins.CiphertextDigest(a.Key!)]);
    }

    [Fact]
    public void SameCiphertextTwiceInOneAnswer_IsRefusedOnAColdCache_AndNothingIsPinned()
    {
        var a = Login("A", "ann", "pw-a", keyed: false);
        var b = Login("B", "bob", "pw-b", keyed: false);
        b = b with { Notes = a.Login!.Password };

        var e = Assert.Throws<ServerIntegrityException>(() => VaultIntegrity.Check(_pins, [a, b], null));

        Assert.Equal("ciphertext-reused", e.Code);
        Assert.Empty(_pins.Ciphers);
    }

    [Fact]
    public void SwappedFieldsOfOneItem_QuarantineThatItem_AndKeepItsOldPins()
    {
        var a = Login("A", "ann", "pw-a");
        var b = Login("B", "bob", "pw-b");
        Sync(a, b);
        var swapped = a with { Login = a.Login! with { Username = a.Login.Password, Password = a.Login.Username }, RevisionDate = T0.AddMinutes(1) };

        var findings = Sync(swapped, b);

        var finding = Assert.Single(findings);
        Assert.Equal(("ciphertext-moved", FindingKind.Quarantine, a.Id), (finding.Code, finding.Kind, finding.CipherId));
        Assert.Equal(T0, _pins.Ciphers[a.Id].RevisionDate.UtcDateTime);
        Assert.Equal(new CiphertextSite(a.Id, "login.password"), _pins.CiphertextIndex[AccountPins.CiphertextDigest(a.Login!.Password!)]);
        Assert.Single(Sync(swapped, b));
    }

    [Fact]
    public void EachMetadataChange_IsClassedAsDesigned()
    {
        var a = Login("A", "ann", "pw-a") with { Reprompt = 1 };
        Sync(a);
        var org = Guid.NewGuid();
        var cases = new (CipherDetailsResponseModel Served, string Code, FindingKind Kind)[]
        {
            (a with { Type = CipherType.SecureNote }, "type-change", FindingKind.Refuse),
            (a with { Key = null }, "cipher-key-stripped", FindingKind.Refuse),
            (a with { Reprompt = 0 }, "meta-reprompt-off", FindingKind.Quarantine),
            (a with { OrganizationId = org.ToString() }, "org-move", FindingKind.Quarantine),
            (a with { RevisionDate = T0.AddSeconds(-1) }, "item-rollback", FindingKind.Quarantine),
        };

        foreach (var (served, code, kind) in cases)
        {
            var finding = Assert.Single(VaultIntegrity.Check(_pins, [served], null));
            Assert.Equal((code, kind, a.Id), (finding.Code, finding.Kind, finding.CipherId));
        }

        Assert.Empty(VaultIntegrity.Check(_pins, [a with { RevisionDate = T0.AddMinutes(5), Favorite = true }], null));
    }

    [Fact]
    public void OlderAccountRevision_Warns_AndThePinNeverMovesBack()
    {
        var a = Login("A", "ann", "pw-a");
        Sync(new DateTimeOffset(T0), a);

        var findings = Sync(new DateTimeOffset(T0).AddHours(-1), a);

        Assert.Equal(("rollback", FindingKind.Warn), (Assert.Single(findings).Code, findings[0].Kind));
        Assert.Equal(new DateTimeOffset(T0), _pins.AccountRevisionDate);
    }

    [Fact]
    public void VanishedItems_AreListedOnce_ButNotTheOnesThisClientDeleted()
    {
        var a = Login("A", "ann", "pw-a");
        var b = Login("B", "bob", "pw-b");
        var c = Login("C", "cid", "pw-c");
        Sync(a, b, c);
        VaultIntegrity.ForgetOwnDelete(_pins, c.Id);

        var findings = Sync(a);

        var vanish = Assert.Single(findings);
        Assert.Equal(("vanish", FindingKind.Warn), (vanish.Code, vanish.Kind));
        Assert.Contains(b.Id.ToString(), vanish.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(c.Id.ToString(), vanish.Message, StringComparison.Ordinal);
        Assert.Empty(Sync(a));
    }

    [Fact]
    public void EchoWithoutTheSentKey_IsRefused_AndTheItemStaysPinnedAsKeyed()
    {
        var sent = VaultCrypto.Encrypt(new VaultItem { Name = "New", Login = new LoginView { Password = "pw" } }, _userKey);
        var echo = Response(Guid.NewGuid(), sent) with { Key = null };

        var e = Assert.Throws<ServerIntegrityException>(() => VaultIntegrity.CheckEcho(_pins, sent, echo));

        Assert.Equal("cipher-key-dropped", e.Code);
        Assert.True(_pins.Ciphers[echo.Id].HasKey);
        Assert.Equal("cipher-key-stripped", Assert.Single(VaultIntegrity.Check(_pins, [echo], null)).Code);
    }

    [Fact]
    public void OwnWrites_AreNotTheServers_ARepromptOffMadeHereAndAnAcceptedQuarantinePassTheNextSync()
    {
        var a = Login("A", "ann", "pw-a") with { Reprompt = 1 };
        Sync(a);
        var edited = a with { Reprompt = 0, RevisionDate = T0.AddMinutes(1) };
        VaultIntegrity.CheckEcho(_pins, new CipherRequestModel { Key = a.Key, Reprompt = 0, Type = CipherType.Login }, edited);
        Assert.Empty(Sync(edited));

        var swapped = edited with { Notes = edited.Login!.Password, Login = edited.Login with { Password = null } };
        Assert.Equal("ciphertext-moved", Assert.Single(VaultIntegrity.Check(_pins, [swapped], null)).Code);
        VaultIntegrity.AcceptItem(_pins, swapped);
        Assert.Empty(Sync(swapped));
    }

    private List<VaultFinding> Sync(params CipherDetailsResponseModel[] ciphers) => Sync(null, ciphers);

    private List<VaultFinding> Sync(DateTimeOffset? revision, params CipherDetailsResponseModel[] ciphers)
    {
        var findings = VaultIntegrity.Check(_pins, ciphers, revision);
        VaultIntegrity.Accept(_pins, ciphers, revision, findings);
        return [.. findings];
    }

    /// <summary>A login as an honest server returns it: keyed (as Coffer writes it) or legacy (under the user key).</summary>
    private CipherDetailsResponseModel Login(string name, string username, string password, bool keyed = true)
    {
        var item = new VaultItem { Name = name, Login = new LoginView { Username = username, Password = password, Uris = ["https://a.example"] } };
        var request = keyed ? VaultCrypto.Encrypt(item, _userKey) : Legacy(item);
        return Response(Guid.NewGuid(), request);
    }

    // What an old client writes: every field under the user key, no item key.
    private CipherRequestModel Legacy(VaultItem item) => new()
    {
        Type = CipherType.Login,
        Name = EncString.EncryptString(item.Name, _userKey).ToString(),
        Login = new CipherLoginModel
        {
            Username = EncString.EncryptString(item.Login!.Username!, _userKey).ToString(),
            Password = EncString.EncryptString(item.Login.Password!, _userKey).ToString(),
        },
    };

    private static CipherDetailsResponseModel Response(Guid id, CipherRequestModel request) => new()
    {
        Id = id,
        Type = request.Type,
        Key = request.Key,
        Name = request.Name,
        Notes = request.Notes,
        Reprompt = request.Reprompt,
        Login = request.Login,
        RevisionDate = T0,
        CreationDate = T0,
    };
}
