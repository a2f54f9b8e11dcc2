using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Testing.Hostile;

/// <summary>
/// The organization and public-key attacks of malicious-server.md (BW01, BW02, BW08, BW09 and §3.13) as proxy rules. Each
/// builder only rewrites or answers the server's JSON, so the CLI and the web vault tests share them. The server's own
/// material (a made-up organization, a key pair the attacker holds) is made by <see cref="ForgedOrganization"/> and
/// <see cref="AttackerKeyPair"/>, which the test keeps to look for leaks afterwards.
/// </summary>
public static class OrganizationScenarios
{
    /// <summary>
    /// <c>org-inject</c> (BW08): every sync and profile answer lists <paramref name="org"/> as a Confirmed membership of
    /// the user (its key wrapped to the user's real public key, read from the answer itself), with its collection, its
    /// item and an enabled OrganizationDataOwnership policy; the organization's own routes (public key, collections,
    /// policies) answer for it.
    /// </summary>
    public static HostileScenario OrgInject(ForgedOrganization org) =>
        new("org-inject", InjectRules(org, recoveryEnrolled: false));

    /// <summary>
    /// <c>org-overwrite</c> (BW09): the membership <c>key</c> of <paramref name="organizationId"/> (null: of every
    /// organization, so it also catches one created while armed) is replaced by <paramref name="replacement"/>'s org
    /// key wrapped to the user's public key, and the organization's public key by <paramref name="replacement"/>'s.
    /// </summary>
    public static HostileScenario OrgOverwrite(ForgedOrganization replacement, Guid? organizationId = null)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        bool Targets(Guid id) => organizationId is null || organizationId == id;
        return new HostileScenario(
            "org-overwrite",
            HostileRule.Rewrite("GET", "^/api/sync$", body => EachMembership(body, body?["profile"], Targets, (entry, userPublicKey) =>
                entry["key"] = replacement.WrapFor(userPublicKey))),
            HostileRule.Rewrite("GET", "^/api/accounts/profile$", body => EachMembership(body, body, Targets, (entry, userPublicKey) =>
                entry["key"] = replacement.WrapFor(userPublicKey))),
            OrganizationPublicKey(organizationId, replacement.PublicKey));
    }

    /// <summary>
    /// <c>confirm-pk-swap</c> (§3.13, organization confirm): the public key of <paramref name="userId"/>, single and in
    /// the bulk member key list, is <paramref name="attacker"/>'s.
    /// </summary>
    public static HostileScenario ConfirmPkSwap(Guid userId, AttackerKeyPair attacker) =>
        new("confirm-pk-swap", UserPublicKeyRules(userId, attacker));

    /// <summary>
    /// <c>ea-pk-swap</c> (§3.13, emergency access): the public key of grantee <paramref name="granteeId"/> is
    /// <paramref name="attacker"/>'s, both from <c>GET /api/users/{id}/public-key</c> (confirm) and in the key rotation
    /// data (rotation re-wraps the new user key to it).
    /// </summary>
    public static HostileScenario EaPkSwap(Guid granteeId, AttackerKeyPair attacker)
    {
        ArgumentNullException.ThrowIfNull(attacker);
        return new HostileScenario(
            "ea-pk-swap",
            [
                .. UserPublicKeyRules(granteeId, attacker),
                HostileRule.Rewrite("GET", "^/api/accounts/key-management/key-rotation-data$", body =>
                {
                    foreach (var entry in body?["emergencyAccessKeyData"]?.AsArray().OfType<JsonObject>() ?? [])
                    {
                        if (SameId(entry["granteeId"], granteeId))
                        {
                            entry["publicKey"] = attacker.PublicKey;
                        }
                    }

                    return body;
                }),
            ]);
    }

    /// <summary>
    /// <c>ar-autoenrol-swap</c> (BW01): <paramref name="organizationId"/> says it uses account recovery and the user is
    /// not enrolled, an enabled ResetPassword policy (type 8) with <c>autoEnrollEnabled</c> appears in sync and in the
    /// organization's policy routes, the auto-enrol status says enabled, and the organization's public key is
    /// <paramref name="attacker"/>'s. A client that obeys sends the user key wrapped to the attacker as
    /// <c>resetPasswordKey</c>.
    /// </summary>
    public static HostileScenario ArAutoEnrolSwap(Guid organizationId, AttackerKeyPair attacker)
    {
        ArgumentNullException.ThrowIfNull(attacker);
        var policy = PolicyJson(organizationId, 8, new JsonObject { ["autoEnrollEnabled"] = true });
        bool Targets(Guid id) => id == organizationId;
        void Flags(JsonObject entry, string _)
        {
            entry["useResetPassword"] = true;
            entry["resetPasswordEnrolled"] = false;
        }

        return new HostileScenario(
            "ar-autoenrol-swap",
            HostileRule.Rewrite("GET", "^/api/sync$", body =>
            {
                EachMembership(body, body?["profile"], Targets, Flags);
                AddTo(body, "policies", policy.DeepClone());
                return body;
            }),
            HostileRule.Rewrite("GET", "^/api/accounts/profile$", body => EachMembership(body, body, Targets, Flags)),
            HostileRule.Rewrite("GET", $"^/api/organizations/{organizationId}/policies$", body =>
            {
                AddTo(body, "data", policy.DeepClone());
                return body;
            }),
            new HostileRule("GET", $"^/api/organizations/{organizationId}/policies/8$") { Answer = _ => (200, policy.ToJsonString()) },
            new HostileRule("GET", "^/api/organizations/[^/]+/auto-enroll-status$")
            {
                Answer = _ => (200, new JsonObject
                {
                    ["id"] = organizationId.ToString(),
                    ["resetPasswordEnabled"] = true,
                    ["object"] = "organizationAutoEnrollStatus",
                }.ToJsonString()),
            },
            OrganizationPublicKey(organizationId, attacker.PublicKey));
    }

    /// <summary>
    /// <c>rotate-orgkey-swap</c> (BW02): for a key rotation, <paramref name="organizationId"/> says the user is enrolled
    /// in its account recovery, and both its public key route and the rotation data's
    /// <c>organizationPasswordResetKeyData</c> give <paramref name="attacker"/>'s public key.
    /// </summary>
    public static HostileScenario RotateOrgKeySwap(Guid organizationId, AttackerKeyPair attacker)
    {
        ArgumentNullException.ThrowIfNull(attacker);
        bool Targets(Guid id) => id == organizationId;
        void Enrolled(JsonObject entry, string _)
        {
            entry["useResetPassword"] = true;
            entry["resetPasswordEnrolled"] = true;
        }

        return new HostileScenario(
            "rotate-orgkey-swap",
            HostileRule.Rewrite("GET", "^/api/sync$", body => EachMembership(body, body?["profile"], Targets, Enrolled)),
            HostileRule.Rewrite("GET", "^/api/accounts/profile$", body => EachMembership(body, body, Targets, Enrolled)),
            RecoveryKeyData(organizationId, "", attacker.PublicKey),
            OrganizationPublicKey(organizationId, attacker.PublicKey));
    }

    /// <summary>
    /// <c>rotate-injected-org</c> (BW02 over BW08): <paramref name="org"/> is injected as in <see cref="OrgInject"/>, says
    /// the user is enrolled in its account recovery, and is listed in the rotation data's
    /// <c>organizationPasswordResetKeyData</c> with its own public key.
    /// </summary>
    public static HostileScenario RotateInjectedOrg(ForgedOrganization org)
    {
        ArgumentNullException.ThrowIfNull(org);
        return new HostileScenario(
            "rotate-injected-org",
            [.. InjectRules(org, recoveryEnrolled: true), RecoveryKeyData(org.Id, org.Name, org.PublicKey)]);
    }

    /// <summary>
    /// <c>policy-inject</c> (§3.13, policies): an enabled policy of <paramref name="type"/> (default 5,
    /// OrganizationDataOwnership) for <paramref name="organizationId"/> is added to every sync, and to that
    /// organization's policy list. Aim it at an organization the user never joined, or a quarantined one.
    /// </summary>
    public static HostileScenario PolicyInject(Guid organizationId, int type = 5, JsonObject? data = null)
    {
        var policy = PolicyJson(organizationId, type, data);
        return new HostileScenario(
            "policy-inject",
            HostileRule.Rewrite("GET", "^/api/sync$", body =>
            {
                AddTo(body, "policies", policy.DeepClone());
                return body;
            }),
            HostileRule.Rewrite("GET", $"^/api/organizations/{organizationId}/policies$", body =>
            {
                AddTo(body, "data", policy.DeepClone());
                return body;
            }));
    }

    private static HostileRule[] InjectRules(ForgedOrganization org, bool recoveryEnrolled)
    {
        ArgumentNullException.ThrowIfNull(org);
        var prefix = $"^/api/organizations/{org.Id}";
        return
        [
            HostileRule.Rewrite("GET", "^/api/sync$", body =>
            {
                if (body?["profile"] is JsonObject profile)
                {
                    AddTo(profile, "organizations", org.Membership(UserPublicKey(profile), UserId(profile), recoveryEnrolled));
                    AddTo(body, "collections", org.CollectionJson());
                    AddTo(body, "ciphers", org.CipherJson());
                    AddTo(body, "policies", org.PolicyJson());
                }

                return body;
            }),
            HostileRule.Rewrite("GET", "^/api/accounts/profile$", body =>
            {
                if (body is JsonObject profile)
                {
                    AddTo(profile, "organizations", org.Membership(UserPublicKey(profile), UserId(profile), recoveryEnrolled));
                }

                return body;
            }),
            OrganizationPublicKey(org.Id, org.PublicKey),
            new HostileRule("GET", prefix + "/collections(/details)?$") { Answer = _ => (200, List(org.CollectionJson())) },
            new HostileRule("GET", prefix + "/policies$") { Answer = _ => (200, List(org.PolicyJson())) },
        ];
    }

    private static HostileRule[] UserPublicKeyRules(Guid userId, AttackerKeyPair attacker)
    {
        ArgumentNullException.ThrowIfNull(attacker);
        return
        [
            HostileRule.Rewrite("GET", $"^/api/users/{userId}/public-key$", body =>
            {
                if (body is JsonObject key)
                {
                    key["publicKey"] = attacker.PublicKey;
                }

                return body;
            }),
            HostileRule.Rewrite("POST", "^/api/organizations/[^/]+/users/public-keys$", body =>
            {
                foreach (var entry in body?["data"]?.AsArray().OfType<JsonObject>() ?? [])
                {
                    if (SameId(entry["userId"], userId))
                    {
                        entry["key"] = attacker.PublicKey;
                    }
                }

                return body;
            }),
        ];
    }

    /// <summary><c>GET /api/organizations/{id}/public-key</c> and its old name <c>…/keys</c> answered with <paramref name="publicKey"/>.</summary>
    private static HostileRule OrganizationPublicKey(Guid? organizationId, string publicKey) =>
        new("GET", $"^/api/organizations/{(organizationId is { } id ? id.ToString() : "[^/]+")}/(public-key|keys)$")
        {
            Answer = _ => (200, new JsonObject { ["publicKey"] = publicKey, ["object"] = "organizationPublicKey" }.ToJsonString()),
        };

    private static HostileRule RecoveryKeyData(Guid organizationId, string name, string publicKey) =>
        HostileRule.Rewrite("GET", "^/api/accounts/key-management/key-rotation-data$", body =>
        {
            AddTo(body, "organizationPasswordResetKeyData", new JsonObject
            {
                ["organizationId"] = organizationId.ToString(),
                ["organizationName"] = name,
                ["publicKey"] = publicKey,
                ["object"] = "organizationPasswordResetKeyData",
            });
            return body;
        });

    /// <summary>Applies <paramref name="change"/> to each membership of <paramref name="profile"/> that <paramref name="targets"/> names.</summary>
    private static JsonNode? EachMembership(JsonNode? body, JsonNode? profile, Func<Guid, bool> targets, Action<JsonObject, string> change)
    {
        if (profile is not JsonObject p)
        {
            return body;
        }

        var userPublicKey = UserPublicKey(p);
        foreach (var entry in p["organizations"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            if (Guid.TryParse((string?)entry["id"], out var id) && targets(id))
            {
                change(entry, userPublicKey);
            }
        }

        return body;
    }

    private static string UserPublicKey(JsonObject profile) =>
        (string?)profile["accountKeys"]?["publicKeyEncryptionKeyPair"]?["publicKey"]
        ?? throw new InvalidOperationException("The profile carries no public key to wrap a forged organization key to.");

    private static Guid UserId(JsonObject profile) => Guid.Parse((string)profile["id"]!);

    private static bool SameId(JsonNode? node, Guid id) => Guid.TryParse((string?)node, out var parsed) && parsed == id;

    private static void AddTo(JsonNode? parent, string property, JsonNode item)
    {
        if (parent is not JsonObject obj)
        {
            return;
        }

        if (obj[property] is not JsonArray array)
        {
            array = [];
            obj[property] = array;
        }

        array.Add(item);
    }

    private static string List(JsonNode item) => new JsonObject { ["data"] = new JsonArray(item), ["continuationToken"] = null, ["object"] = "list" }.ToJsonString();

    /// <summary>An enabled policy of <paramref name="type"/> for <paramref name="organizationId"/>, in the sync's <c>policies[]</c> shape.</summary>
    public static JsonObject PolicyJson(Guid organizationId, int type, JsonObject? data) =>
        (JsonObject)JsonSerializer.SerializeToNode(
            new PolicyResponseModel
            {
                Id = Guid.NewGuid(),
                OrganizationId = organizationId,
                Type = type,
                Data = data,
                Enabled = true,
                RevisionDate = DateTime.UnixEpoch.AddYears(56),
            },
            CofferJson.Options)!;
}

/// <summary>
/// An organization a hostile server makes up (BW08, BW09): its own 64-byte org key and RSA key pair, one collection, one
/// login item under a per-item key, and an OrganizationDataOwnership policy. The test keeps it to check that nothing was
/// encrypted under <see cref="OrgKey"/> and that its item was never shown.
/// </summary>
public sealed class ForgedOrganization : IDisposable
{
    private readonly SymmetricKey _orgKey;

    private ForgedOrganization(string name, SymmetricKey orgKey, string publicKey, string encryptedPrivateKey)
    {
        Name = name;
        _orgKey = orgKey;
        PublicKey = publicKey;
        EncryptedPrivateKey = encryptedPrivateKey;
    }

    public Guid Id { get; } = Guid.NewGuid();

    public Guid OrganizationUserId { get; } = Guid.NewGuid();

    public Guid CollectionId { get; } = Guid.NewGuid();

    public Guid CipherId { get; } = Guid.NewGuid();

    public Guid PolicyId { get; } = Guid.NewGuid();

    public string Name { get; }

    public string CollectionName { get; } = "Planted collection";

    public string ItemName { get; } = "Planted login";

    public string ItemUsername { get; } = "planted-user";

    /// <summary>A phishing URI the forged item carries.</summary>
    public string ItemUri { get; } = "https://login.example.invalid/";

    public string ItemPassword { get; } = "planted-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>The server's org key (64 bytes): nothing a client sends may be encrypted under it.</summary>
    public SymmetricKey OrgKey => _orgKey;

    /// <summary>Base64 SPKI of the forged organization key pair.</summary>
    public string PublicKey { get; }

    /// <summary>Its PKCS#8 private key as an EncString type 2 under <see cref="OrgKey"/>.</summary>
    public string EncryptedPrivateKey { get; }

    public static ForgedOrganization Create(string name = "Injected Org")
    {
        var orgKey = SymmetricKey.Generate();
        var (publicKey, encryptedPrivateKey) = AccountKeyPair.Generate(orgKey);
        return new ForgedOrganization(name, orgKey, publicKey, encryptedPrivateKey.ToString());
    }

    /// <summary>The org key as EncString type 4 for <paramref name="userPublicKey"/> (Base64 SPKI): anyone can make one.</summary>
    public string WrapFor(string userPublicKey) => OrganizationKeys.Wrap(_orgKey, userPublicKey);

    /// <summary>A <c>profile.organizations[]</c> entry: Confirmed, type User, key wrapped to <paramref name="userPublicKey"/>.</summary>
    public JsonObject Membership(string userPublicKey, Guid userId, bool recoveryEnrolled = false) =>
        (JsonObject)JsonSerializer.SerializeToNode(
            new ProfileOrganizationResponseModel
            {
                Id = Id,
                Name = Name,
                Key = WrapFor(userPublicKey),
                Status = 2,
                Type = 2,
                OrganizationUserId = OrganizationUserId,
                UserId = userId,
                Permissions = new PermissionsModel(),
                HasPublicAndPrivateKeys = true,
                UseResetPassword = recoveryEnrolled,
                ResetPasswordEnrolled = recoveryEnrolled,
            },
            CofferJson.Options)!;

    /// <summary>Its collection, the name encrypted under <see cref="OrgKey"/>.</summary>
    public JsonObject CollectionJson() =>
        (JsonObject)JsonSerializer.SerializeToNode(
            new CollectionResponseModel
            {
                Id = CollectionId,
                OrganizationId = Id,
                Name = EncString.EncryptString(CollectionName, _orgKey).ToString(),
            },
            CofferJson.Options)!;

    /// <summary>Its login item in the collection, with a per-item key wrapped under <see cref="OrgKey"/>.</summary>
    public JsonObject CipherJson()
    {
        using var itemKey = SymmetricKey.Generate();
        var now = DateTime.UnixEpoch.AddYears(56);
        string Enc(string text) => EncString.EncryptString(text, itemKey).ToString();
        var itemKeyBytes = itemKey.ToArray();
        try
        {
            return (JsonObject)JsonSerializer.SerializeToNode(
                new CipherDetailsResponseModel
                {
                    Id = CipherId,
                    Type = CipherType.Login,
                    OrganizationId = Id.ToString(),
                    CollectionIds = [CollectionId],
                    CreationDate = now,
                    RevisionDate = now,
                    Key = EncString.Encrypt(itemKeyBytes, _orgKey).ToString(),
                    Name = Enc(ItemName),
                    Login = new CipherLoginModel
                    {
                        Username = Enc(ItemUsername),
                        Password = Enc(ItemPassword),
                        Uris = [new CipherLoginUriModel { Uri = Enc(ItemUri), UriChecksum = Enc(Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ItemUri)))) }],
                    },
                },
                CofferJson.Options)!;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(itemKeyBytes);
        }
    }

    /// <summary>
    /// Where a request body carries something made with this organization's keys: a type-2 EncString that verifies
    /// under <see cref="OrgKey"/>, or a type-4 one its private key opens. One line per find; empty when the client never
    /// used the forged organization.
    /// </summary>
    public IReadOnlyList<string> UsedIn(IEnumerable<EgressRecord> egress)
    {
        ArgumentNullException.ThrowIfNull(egress);
        var records = egress.ToList();
        using var privateKey = AccountKeyPair.DecryptPrivateKey(EncString.Parse(EncryptedPrivateKey), _orgKey);
        return [.. AttackerKeyPair.EncryptedUnder(_orgKey, records), .. AttackerKeyPair.OpenedBy(privateKey, records)];
    }

    /// <summary>An enabled OrganizationDataOwnership policy (type 5) of this organization.</summary>
    public JsonObject PolicyJson()
    {
        var policy = OrganizationScenarios.PolicyJson(Id, 5, null);
        policy["id"] = PolicyId.ToString();
        return policy;
    }

    public void Dispose() => _orgKey.Dispose();
}

/// <summary>
/// An RSA-2048 key pair the server holds and substitutes for someone else's public key (§3.13, BW01, BW02).
/// <see cref="OpenedIn"/> finds every type-4 EncString a client sent that this key opens: what the attack would gain.
/// </summary>
public sealed class AttackerKeyPair : IDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);

    public AttackerKeyPair() => PublicKey = Convert.ToBase64String(_rsa.ExportSubjectPublicKeyInfo());

    /// <summary>Base64 SPKI.</summary>
    public string PublicKey { get; }

    /// <summary>Where a request body carries a type-4 EncString (RSA-OAEP-SHA1) that the attacker's private key decrypts: one line per find.</summary>
    public IReadOnlyList<string> OpenedIn(IEnumerable<EgressRecord> egress) => OpenedBy(_rsa, egress);

    /// <summary>Where a request body carries a type-2 EncString whose MAC verifies under <paramref name="key"/>: one line per find.</summary>
    public static IReadOnlyList<string> EncryptedUnder(SymmetricKey key, IEnumerable<EgressRecord> egress)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(egress);
        var found = new List<string>();
        foreach (var record in egress)
        {
            foreach (var value in Strings(record.BodyJson()))
            {
                if (!value.StartsWith("2.", StringComparison.Ordinal) || !EncString.TryParse(value, out var enc))
                {
                    continue;
                }

                try
                {
                    CryptographicOperations.ZeroMemory(enc.Decrypt(key));
                    found.Add($"{record.Method} {record.Path}");
                }
                catch (CryptographicException)
                {
                    // Under another key.
                }
            }
        }

        return found;
    }

    /// <summary>Where a request body carries a type-4 EncString that <paramref name="rsa"/> decrypts: one line per find.</summary>
    public static IReadOnlyList<string> OpenedBy(RSA rsa, IEnumerable<EgressRecord> egress)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        ArgumentNullException.ThrowIfNull(egress);
        var found = new List<string>();
        foreach (var record in egress)
        {
            foreach (var value in Strings(record.BodyJson()))
            {
                if (!value.StartsWith("4.", StringComparison.Ordinal) || !EncString.TryParse(value, out var enc)
                    || enc.Type != EncryptionType.Rsa2048_OaepSha1_B64)
                {
                    continue;
                }

                try
                {
                    var plain = rsa.Decrypt(enc.Data.Span, RSAEncryptionPadding.OaepSHA1);
                    CryptographicOperations.ZeroMemory(plain);
                    found.Add($"{record.Method} {record.Path}");
                }
                catch (CryptographicException)
                {
                    // Wrapped to someone else's key: not readable by the attacker.
                }
            }
        }

        return found;
    }

    public void Dispose() => _rsa.Dispose();

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };
}
