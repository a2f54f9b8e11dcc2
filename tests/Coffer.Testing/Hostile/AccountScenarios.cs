using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Testing.Hostile;

/// <summary>
/// The account-level attacks of malicious-server.md (BW03, BW07, BW11, BW12) as <see cref="HostileScenario"/>s. They only
/// rewrite server answers (prelogin, the token response, <c>/api/sync</c>), so the CLI tests and the web vault's Chromium
/// tests run the same scenario. What a client is expected to do is said on each builder: the refusal code (the CLI prints
/// <c>coffer: server integrity check failed (CODE)</c>, the web vault's dialog carries <c>data-check="CODE"</c>).
/// <para>
/// Wire names are matched case-insensitively: the token response speaks upstream's PascalCase (<c>Key</c>,
/// <c>UserDecryptionOptions</c>), prelogin and sync camelCase.
/// </para>
/// </summary>
public static class AccountScenarios
{
    /// <summary>Prelogin's path: today's <c>/identity/accounts/prelogin/password</c> and the older spellings.</summary>
    public const string PreloginPath = "^/(identity|api)/accounts/prelogin(/password)?$";

    /// <summary>The token endpoint (password and refresh grants).</summary>
    public const string TokenPath = "^/identity/connect/token$";

    /// <summary>The full sync.</summary>
    public const string SyncPath = "^/api/sync$";

    /// <summary>
    /// <c>kdf-downgrade</c> (BW07): prelogin names a weaker KDF than the account's, by default PBKDF2 with 5,000 iterations
    /// (Bitwarden's own prelogin floor). Expected: on an account this client has pinned, refusal <c>kdf-downgrade</c> before
    /// the password is hashed, so no <c>/identity/connect/token</c> request at all.
    /// </summary>
    public static HostileScenario KdfDowngrade(KdfConfig? served = null) =>
        new("kdf-downgrade", Prelogin(served ?? new KdfConfig(KdfType.Pbkdf2Sha256, 5_000)));

    /// <summary>
    /// <c>kdf-floor-first-use</c> (BW07): prelogin names a KDF below Coffer's floor (by default PBKDF2 100,000, the count
    /// malicious-server.md's test uses) to a client that has never seen the account. Expected: refusal <c>kdf-floor</c>
    /// ("…weaker than Coffer allows… Raise it from a client you trust…"), no token request.
    /// </summary>
    public static HostileScenario KdfFloorFirstUse(KdfConfig? served = null) =>
        new("kdf-floor-first-use", Prelogin(served ?? new KdfConfig(KdfType.Pbkdf2Sha256, 100_000)));

    /// <summary>
    /// <c>kdf-token-mismatch</c> (BW07 §3 cross-check): the password grant's answer names other KDF iterations than the
    /// prelogin the client hashed with (prelogin stays honest). Only the flat <c>KdfIterations</c> by default; with
    /// <paramref name="alsoDecryptionOptions"/> also <c>UserDecryptionOptions.MasterPasswordUnlock.Kdf.Iterations</c>.
    /// Expected: refusal <c>kdf-mismatch</c> after the token arrives and before the first sync.
    /// </summary>
    public static HostileScenario KdfTokenMismatch(int iterations = 5_000, bool alsoDecryptionOptions = false) =>
        new("kdf-token-mismatch", PasswordGrant(token =>
        {
            Set(token, "KdfIterations", iterations);
            if (alsoDecryptionOptions && Path(token, "UserDecryptionOptions", "MasterPasswordUnlock", "Kdf") is JsonObject kdf)
            {
                Set(kdf, "Iterations", iterations);
            }
        }));

    /// <summary>
    /// <c>kdf-sync-mismatch</c>: the sync's <c>userDecryption.masterPasswordUnlock.kdf</c> names other iterations than the
    /// ones the client unlocked with (prelogin and token stay honest). Expected: refusal <c>kdf-mismatch</c> at that sync.
    /// </summary>
    public static HostileScenario KdfSyncMismatch(int iterations = 5_000) =>
        new("kdf-sync-mismatch", HostileRule.Rewrite("GET", SyncPath, body =>
        {
            if (Path(body, "userDecryption", "masterPasswordUnlock", "kdf") is JsonObject kdf)
            {
                Set(kdf, "iterations", iterations);
            }

            return body;
        }));

    /// <summary>
    /// <c>userkey-type0</c> (BW11): every copy of the protected user key (token <c>Key</c> and
    /// <c>UserDecryptionOptions.MasterPasswordUnlock</c>, sync <c>profile.key</c> and <c>userDecryption</c>) becomes a type 0
    /// (AES-CBC, no MAC) EncString of a 64-byte "user key" whose first 32 bytes (the <c>encKey</c>) the server knows, forged
    /// by the BWb1 method (<see cref="ForgeLegacyUserKey"/>) from the account's master key. Expected: refusal
    /// <c>userkey-type0</c>; nothing is encrypted under the forged key.
    /// </summary>
    /// <param name="masterKey">The account's 32-byte master key, which the harness derives from the test password.</param>
    public static HostileScenario UserKeyType0(ReadOnlySpan<byte> masterKey) =>
        ProtectedUserKey("userkey-type0", ForgeLegacyUserKey(masterKey, 64).ProtectedUserKey);

    /// <summary>
    /// <c>userkey-32byte</c> (BW12), isolating the length check: the protected user key is a well-formed type 2 EncString
    /// under the stretched master key (its MAC verifies) that decrypts to 32 bytes, the legacy no-MAC key size. A server
    /// cannot MAC this without the password; the harness can, so the client's size check is tested on its own. Expected:
    /// refusal <c>userkey-32byte</c>.
    /// </summary>
    /// <param name="masterKey">The account's 32-byte master key.</param>
    public static HostileScenario UserKey32Byte(ReadOnlySpan<byte> masterKey)
    {
        using var stretched = MasterKeys.Stretch(masterKey.ToArray());
        var legacyKey = RandomNumberGenerator.GetBytes(32);
        return ProtectedUserKey("userkey-32byte", EncString.Encrypt(legacyKey, stretched).ToString());
    }

    /// <summary>
    /// <c>userkey-32byte</c> as the paper builds it (BW12): the BWb1 three-block type 0 forgery of a 32-byte key whose first
    /// 16 bytes the server knows. Expected: refusal; the type check comes first, so the code is <c>userkey-type0</c>.
    /// </summary>
    /// <param name="masterKey">The account's 32-byte master key.</param>
    public static HostileScenario UserKey32ByteLegacy(ReadOnlySpan<byte> masterKey) =>
        ProtectedUserKey("userkey-32byte", ForgeLegacyUserKey(masterKey, 32).ProtectedUserKey);

    /// <summary>
    /// <c>keys-missing</c> (the BWb1 gadget): the token response and the sync carry no protected user key and no private
    /// key, which pushes legacy clients into generating a key pair and encrypting it under the bare master key. Expected on
    /// an account this client has pinned: refusal <c>keys-missing</c>, and no <c>POST /api/accounts/keys</c>.
    /// </summary>
    public static HostileScenario KeysMissing() => new(
        "keys-missing",
        PasswordGrant(token =>
        {
            Set(token, "Key", null);
            Set(token, "PrivateKey", null);
            Set(token, "AccountKeys", null);
            if (Path(token, "UserDecryptionOptions") is JsonObject options)
            {
                Remove(options, "MasterPasswordUnlock");
            }
        }),
        HostileRule.Rewrite("GET", SyncPath, body =>
        {
            if (Path(body, "profile") is JsonObject profile)
            {
                Set(profile, "key", null);
                Set(profile, "privateKey", null);
                Set(profile, "accountKeys", null);
            }

            if (Path(body, "userDecryption") is JsonObject decryption)
            {
                Remove(decryption, "masterPasswordUnlock");
            }

            return body;
        }));

    /// <summary>
    /// <c>kc-convert</c> (BW03): the server plays Key Connector. The access token's <c>amr</c> claim says <c>external</c>
    /// (as after SSO; the proxy swaps the real token back on the way upstream, so only the client sees the forgery), the
    /// token's <c>UserDecryptionOptions</c> gains a <c>KeyConnectorOption</c> (unless <paramref name="inToken"/> is false),
    /// and the sync gains an organization, its key wrapped to the user's real public key, with
    /// <c>keyConnectorEnabled: true</c> and <c>keyConnectorUrl</c> = <paramref name="connector"/>. Point
    /// <paramref name="connector"/> at the proxy itself so any contact lands in its egress log. Expected: refusal
    /// <c>kc-convert</c> (at the token response, or at the sync with <paramref name="inToken"/> false); no request to the
    /// connector; the master key never sent.
    /// </summary>
    public static HostileScenario KcConvert(Uri connector, bool inToken = true)
    {
        ArgumentNullException.ThrowIfNull(connector);
        var forged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var url = connector.AbsoluteUri.TrimEnd('/');
        return new HostileScenario(
            "kc-convert",
            new HostileRule("POST", TokenPath)
            {
                Response = (body, _) =>
                {
                    if (body is JsonObject token && Get(token, "access_token") is JsonValue value && value.TryGetValue<string>(out var real))
                    {
                        var fake = WithClaim(real, "amr", new JsonArray("external"));
                        forged[fake] = real;
                        Set(token, "access_token", fake);
                        if (inToken && Path(token, "UserDecryptionOptions") is JsonObject options)
                        {
                            Set(options, "KeyConnectorOption", new JsonObject { ["KeyConnectorUrl"] = url });
                        }
                    }

                    return body;
                },
            },
            new HostileRule("*", "^/")
            {
                Request = request =>
                {
                    if (request.Headers.Authorization is { Scheme: "Bearer", Parameter: { } sent } && forged.TryGetValue(sent, out var real))
                    {
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", real);
                    }
                },
            },
            HostileRule.Rewrite("GET", SyncPath, body =>
            {
                if (Path(body, "profile") is JsonObject profile
                    && Path(profile, "accountKeys", "publicKeyEncryptionKeyPair", "publicKey") is JsonValue publicKey
                    && Get(profile, "organizations") is JsonArray organizations)
                {
                    organizations.Add(KeyConnectorOrganization(publicKey.GetValue<string>(), url));
                }

                return body;
            }));
    }

    /// <summary>
    /// The BWb1 gadget of malicious-server.md §3 BW11, from material the harness knows. It first makes what the gadget
    /// gives a server: a known plaintext (a fresh RSA public key in DER, as embedded in the PKCS#8 a legacy client encrypts)
    /// and its bare AES-256-CBC ciphertext under the master key. From that pair alone, never encrypting a chosen plaintext,
    /// it splices blocks into a type 0 EncString of a <paramref name="keyLength"/>-byte "user key": each known block
    /// <c>C_j</c> decrypts to <c>D(C_j) = P_j ⊕ C_{j-1}</c>, so the IV fixes the first plaintext block, each further known
    /// block gives a known one, and the block before the final padding block is garbled (the value that makes the padding
    /// valid has an unknown decryption).
    /// </summary>
    /// <param name="masterKey">The account's 32-byte master key (the key legacy clients decrypt type 0 user keys with).</param>
    /// <param name="keyLength">64 (BW11: the first 32 bytes, the <c>encKey</c>, are known) or 32 (BW12: the first 16 known).</param>
    /// <returns>The <c>0.iv|ct</c> text and the leading bytes of the forged key that the server knows.</returns>
    public static (string ProtectedUserKey, byte[] KnownPrefix) ForgeLegacyUserKey(ReadOnlySpan<byte> masterKey, int keyLength)
    {
        if (masterKey.Length != 32 || keyLength is not (32 or 64))
        {
            throw new ArgumentException("A 32-byte master key, and a 32- or 64-byte forged key.");
        }

        const int block = 16;
        using var rsa = RSA.Create(2048);
        var plaintext = rsa.ExportSubjectPublicKeyInfo();
        var iv = RandomNumberGenerator.GetBytes(block);
        byte[] ciphertext;
        using (var aes = Aes.Create())
        {
            aes.Key = masterKey.ToArray();
            ciphertext = aes.EncryptCbc(plaintext, iv, PaddingMode.PKCS7);
        }

        // Known decryptions of the first ciphertext blocks: D(C_j) = P_j xor C_{j-1} (C_0 = IV).
        var knownBlocks = new List<(byte[] Cipher, byte[] Decrypted)>();
        for (var j = 0; j < 4; j++)
        {
            var previous = j == 0 ? iv : ciphertext[((j - 1) * block)..(j * block)];
            knownBlocks.Add((ciphertext[(j * block)..((j + 1) * block)], Xor(plaintext.AsSpan(j * block, block), previous)));
        }

        var chosenFirst = RandomNumberGenerator.GetBytes(block);
        var known = new List<byte[]>();
        var forged = new List<byte[]>();
        var forgedIv = Xor(knownBlocks[0].Decrypted, chosenFirst);
        forged.Add(knownBlocks[0].Cipher);
        known.Add(chosenFirst);
        var dataBlocks = keyLength / block;
        for (var i = 1; i < dataBlocks - 1; i++)
        {
            forged.Add(knownBlocks[i].Cipher);
            known.Add(Xor(knownBlocks[i].Decrypted, knownBlocks[i - 1].Cipher));
        }

        // The block before the padding: whatever makes the last block decrypt to sixteen 0x10 bytes.
        var last = knownBlocks[dataBlocks - 1];
        forged.Add(Xor(last.Decrypted, Enumerable.Repeat((byte)block, block).ToArray()));
        forged.Add(last.Cipher);

        var text = "0." + Convert.ToBase64String(forgedIv) + "|" + Convert.ToBase64String(forged.SelectMany(b => b).ToArray());
        return (text, known.SelectMany(b => b).Take(keyLength / 2).ToArray());
    }

    /// <summary>A scenario that replaces every copy of the protected user key in the token response and the sync.</summary>
    public static HostileScenario ProtectedUserKey(string id, string protectedUserKey) => new(
        id,
        PasswordGrant(token =>
        {
            Set(token, "Key", protectedUserKey);
            if (Path(token, "UserDecryptionOptions", "MasterPasswordUnlock") is JsonObject unlock)
            {
                Set(unlock, "MasterKeyEncryptedUserKey", protectedUserKey);
                Set(unlock, "MasterKeyWrappedUserKey", protectedUserKey);
            }
        }),
        HostileRule.Rewrite("GET", SyncPath, body =>
        {
            if (Path(body, "profile") is JsonObject profile)
            {
                Set(profile, "key", protectedUserKey);
            }

            if (Path(body, "userDecryption", "masterPasswordUnlock") is JsonObject unlock)
            {
                Set(unlock, "masterKeyEncryptedUserKey", protectedUserKey);
                Set(unlock, "masterKeyWrappedUserKey", protectedUserKey);
            }

            return body;
        }));

    /// <summary>A rule that makes prelogin name <paramref name="kdf"/>, in both its flat fields and <c>kdfSettings</c>.</summary>
    public static HostileRule Prelogin(KdfConfig kdf)
    {
        ArgumentNullException.ThrowIfNull(kdf);
        return HostileRule.Rewrite("POST", PreloginPath, body =>
        {
            if (body is JsonObject prelogin)
            {
                Set(prelogin, "kdf", (int)kdf.Type);
                Set(prelogin, "kdfIterations", kdf.Iterations);
                Set(prelogin, "kdfMemory", kdf.Memory);
                Set(prelogin, "kdfParallelism", kdf.Parallelism);
                if (Get(prelogin, "kdfSettings") is JsonObject settings)
                {
                    Set(settings, "kdfType", (int)kdf.Type);
                    Set(settings, "iterations", kdf.Iterations);
                    Set(settings, "memory", kdf.Memory);
                    Set(settings, "parallelism", kdf.Parallelism);
                }
            }

            return body;
        });
    }

    /// <summary>A rule that rewrites the answer to a password grant (the one that carries keys and KDF), not to a refresh.</summary>
    public static HostileRule PasswordGrant(Action<JsonObject> rewrite) => new("POST", TokenPath)
    {
        Response = (body, request) =>
        {
            if (body is JsonObject token && request.BodyText.Contains("grant_type=password", StringComparison.Ordinal) && Get(token, "access_token") is not null)
            {
                rewrite(token);
            }

            return body;
        },
    };

    /// <summary>A property of <paramref name="node"/> by case-insensitive name, or null.</summary>
    public static JsonNode? Get(JsonNode? node, string name) =>
        node is JsonObject o ? o.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value : null;

    /// <summary>Follows <paramref name="names"/> (case-insensitively) from <paramref name="node"/>; null when a step is missing.</summary>
    public static JsonNode? Path(JsonNode? node, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            node = Get(node, name);
        }

        return node;
    }

    /// <summary>Sets a property, keeping the spelling the server used when it is there.</summary>
    public static void Set(JsonObject node, string name, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(node);
        var existing = node.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Key;
        node[existing ?? name] = value;
    }

    private static void Remove(JsonObject node, string name)
    {
        var existing = node.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Key;
        if (existing is not null)
        {
            node.Remove(existing);
        }
    }

    private static JsonObject KeyConnectorOrganization(string userPublicKey, string connectorUrl)
    {
        using var orgKey = SymmetricKey.Generate();
        return new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["name"] = "IT Security (required)",
            ["key"] = OrganizationKeys.Wrap(orgKey, userPublicKey),
            ["status"] = 2,
            ["type"] = 2,
            ["enabled"] = true,
            ["usePolicies"] = true,
            ["organizationUserId"] = Guid.NewGuid().ToString(),
            ["userId"] = Guid.NewGuid().ToString(),
            ["permissions"] = new JsonObject(),
            ["useSso"] = true,
            ["ssoBound"] = true,
            ["useKeyConnector"] = true,
            ["keyConnectorEnabled"] = true,
            ["keyConnectorUrl"] = connectorUrl,
            ["hasPublicAndPrivateKeys"] = false,
            ["object"] = "profileOrganization",
        };
    }

    /// <summary>The JWT with one payload claim replaced; header and signature kept (the signature no longer matches).</summary>
    private static string WithClaim(string jwt, string claim, JsonNode value)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return jwt;
        }

        var padded = parts[1].Replace('-', '+').Replace('_', '/');
        padded = padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '=');
        var payload = JsonNode.Parse(Convert.FromBase64String(padded))!.AsObject();
        payload[claim] = value;
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.ToJsonString())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{parts[0]}.{encoded}.{parts[2]}";
    }

    private static byte[] Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var result = new byte[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            result[i] = (byte)(a[i] ^ b[i]);
        }

        return result;
    }
}
