using System.Text.Json.Nodes;

namespace Coffer.Testing.Hostile;

/// <summary>
/// The vault scenarios of malicious-server.md (BW04, BW05, BW06, BW10 and §3.13's rollback and withholding) as
/// <see cref="HostileScenario"/>s. They only rewrite what the server answers (<c>GET /api/sync</c>, the
/// <c>/api/ciphers…</c> answers and <c>GET /api/config</c>), so the CLI tests and the web vault's Chromium tests arm the
/// same objects. A test passes the ids (and values) it knows from its honest baseline; nothing here depends on a client.
/// Cipher rewrites apply wherever a cipher object travels: the sync's <c>ciphers</c>, <c>GET /api/ciphers</c>'s
/// <c>data</c>, and the single-cipher answers (<c>GET/PUT/POST /api/ciphers/{id}…</c>).
/// </summary>
public static class VaultScenarios
{
    /// <summary>The server version an old (pre-cipher-key) server reports.</summary>
    public const string OldServerVersion = "2023.1.0";

    /// <summary>
    /// <c>config-old-version</c> (BW10): <c>/api/config</c> reports version 2023.1.0 and every feature flag off, the answer
    /// that makes clients gated on it write items without a per-item key.
    /// </summary>
    public static HostileScenario ConfigOldVersion() => new("config-old-version", HostileRule.Rewrite("GET", "^/api/config$", body =>
    {
        if (body is JsonObject config)
        {
            config["version"] = OldServerVersion;
            if (config["featureStates"] is JsonObject flags)
            {
                foreach (var name in flags.Select(f => f.Key).ToList())
                {
                    flags[name] = false;
                }
            }
        }

        return body;
    }));

    /// <summary>
    /// <c>cipher-key-stripped</c> (BW10): the per-item <c>key</c> removed from <paramref name="cipherId"/> (every cipher
    /// when null) in the sync and in the answers to creates and edits, so the echo of a write lacks the key the client sent.
    /// </summary>
    public static HostileScenario CipherKeyStripped(Guid? cipherId = null) => new("cipher-key-stripped", CipherRules(
        c => cipherId is null || IdOf(c) == cipherId,
        c => c["key"] = null,
        includeWrites: true));

    /// <summary>
    /// <c>swap-in-item</c> (BW05): the username and password ciphertexts of <paramref name="cipherId"/> swapped. Both
    /// decrypt under the item's key, so only a client that remembers where it saw each ciphertext notices.
    /// </summary>
    public static HostileScenario SwapInItem(Guid cipherId) => new("swap-in-item", CipherRules(
        c => IdOf(c) == cipherId,
        c =>
        {
            var login = (JsonObject)c["login"]!;
            (login["username"], login["password"]) = (login["password"]?.DeepClone(), login["username"]?.DeepClone());
        }));

    /// <summary>
    /// <c>swap-cross-item</c> (BW05): the password ciphertext of <paramref name="fromId"/> placed in the notes of
    /// <paramref name="toId"/>. With <paramref name="copy"/> (the default) it stays in its own field too, so the same
    /// ciphertext occurs twice in one answer; without, the two fields are exchanged (a move a cold cache cannot see).
    /// Between legacy items (no <c>key</c>) both decrypt under the user key.
    /// </summary>
    public static HostileScenario SwapCrossItem(Guid fromId, Guid toId, bool copy = true) =>
        new HostileScenario("swap-cross-item", new HostileRule("GET", "^/api/sync$")
        {
            Response = (body, _) =>
            {
                var ciphers = body?["ciphers"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
                var from = ciphers.Single(c => IdOf(c) == fromId);
                var to = ciphers.Single(c => IdOf(c) == toId);
                var password = (string?)from["login"]?["password"];
                var notes = (string?)to["notes"];
                to["notes"] = password;
                if (!copy)
                {
                    from["login"]!["password"] = notes;
                }

                return body;
            },
        });

    /// <summary>
    /// <c>meta-reprompt-off</c> (BW04): master-password re-prompt switched off (1 → 0) on <paramref name="cipherId"/>, or
    /// on every cipher that has it when null. <c>reprompt</c> is plaintext metadata, outside every MAC.
    /// </summary>
    public static HostileScenario MetaRepromptOff(Guid? cipherId = null) => new("meta-reprompt-off", CipherRules(
        c => cipherId is null || IdOf(c) == cipherId,
        c => c["reprompt"] = 0));

    /// <summary>
    /// <c>type-change</c> (BW04): <paramref name="cipherId"/> served as another type (default 2, secure note, with the
    /// type object it needs); its encrypted fields are left as they were. Official clients never change a type.
    /// </summary>
    public static HostileScenario TypeChange(Guid cipherId, int newType = 2) => new("type-change", CipherRules(
        c => IdOf(c) == cipherId,
        c =>
        {
            c["type"] = newType;
            if (newType == 2)
            {
                c["secureNote"] = new JsonObject { ["type"] = 0 };
            }
        }));

    /// <summary>
    /// <c>vanish</c> (§3.13 withholding): <paramref name="cipherIds"/> left out of every answer that lists ciphers, as if
    /// deleted, though nobody deleted them.
    /// </summary>
    public static HostileScenario Vanish(params Guid[] cipherIds)
    {
        ArgumentNullException.ThrowIfNull(cipherIds);
        JsonNode? Drop(JsonNode? body, string list)
        {
            if (body?[list] is JsonArray ciphers)
            {
                foreach (var gone in ciphers.OfType<JsonObject>().Where(c => IdOf(c) is { } id && cipherIds.Contains(id)).ToList())
                {
                    ciphers.Remove(gone);
                }
            }

            return body;
        }

        return new HostileScenario(
            "vanish",
            HostileRule.Rewrite("GET", "^/api/sync$", b => Drop(b, "ciphers")),
            HostileRule.Rewrite("GET", "^/api/ciphers$", b => Drop(b, "data")),
            new HostileRule("GET", $"^/api/ciphers/({string.Join('|', cipherIds)})(/.*)?$") { Answer = _ => (404, """{"message":"Resource not found.","object":"error"}""") });
    }

    /// <summary>
    /// <c>icon-leak</c> (BW06): in each of <paramref name="cipherIds"/>, the password ciphertext copied into
    /// <c>login.uris[0].uri</c> (and the legacy <c>login.uri</c>), the <c>uriChecksum</c> left as it was. A client that
    /// decrypts the "URI" and fetches its icon sends the password to the icon host; the checksum no longer matches.
    /// </summary>
    public static HostileScenario IconLeak(params Guid[] cipherIds)
    {
        ArgumentNullException.ThrowIfNull(cipherIds);
        return new HostileScenario("icon-leak", CipherRules(
            c => IdOf(c) is { } id && cipherIds.Contains(id),
            c =>
            {
                if (c["login"] is JsonObject login && login["uris"] is JsonArray { Count: > 0 } uris && uris[0] is JsonObject first)
                {
                    first["uri"] = login["password"]?.DeepClone();
                    login["uri"] = login["password"]?.DeepClone();
                }
            }));
    }

    /// <summary>
    /// <c>rollback</c> (§3.13): the whole account served as it was earlier. Arm <see cref="Replay.Capture"/> while the
    /// client syncs honestly (it records the sync and <c>/api/accounts/revision-date</c> answers and forwards them
    /// unchanged), let the account change, then arm <see cref="Replay.Serve"/>: every later sync and revision date is
    /// the recorded one.
    /// </summary>
    public static Replay Rollback()
    {
        var recorded = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        HostileRule Record(string path) => new("GET", path)
        {
            Response = (body, _) =>
            {
                recorded[path] = body?.DeepClone();
                return body;
            },
        };
        HostileRule Serve(string path) => new("GET", path)
        {
            Response = (body, _) => recorded.TryGetValue(path, out var old) ? old?.DeepClone() : body,
        };
        const string sync = "^/api/sync$";
        const string revision = "^/api/accounts/revision-date$";
        return new Replay(
            new HostileScenario("rollback", Record(sync), Record(revision)),
            new HostileScenario("rollback", Serve(sync), Serve(revision)));
    }

    /// <summary>
    /// <c>item-rollback</c> (§3.13): one item served as it was earlier, the rest of the account current. Arm
    /// <see cref="Replay.Capture"/> during an honest sync (it records <paramref name="cipherId"/>'s object), edit the item,
    /// then arm <see cref="Replay.Serve"/>: that cipher's older object replaces the current one wherever it travels.
    /// </summary>
    public static Replay ItemRollback(Guid cipherId)
    {
        JsonObject? recorded = null;
        var capture = new HostileScenario("item-rollback", CipherRules(
            c => IdOf(c) == cipherId,
            c => recorded = (JsonObject)c.DeepClone()));
        var serve = new HostileScenario("item-rollback", CipherRules(
            c => IdOf(c) == cipherId && recorded is not null,
            c =>
            {
                foreach (var name in c.Select(p => p.Key).ToList())
                {
                    c.Remove(name);
                }

                foreach (var (name, value) in recorded!)
                {
                    c[name] = value?.DeepClone();
                }
            }));
        return new Replay(capture, serve);
    }

    /// <summary>The id of a cipher object, or null when it has none.</summary>
    public static Guid? IdOf(JsonObject cipher)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        return Guid.TryParse((string?)cipher["id"], out var id) ? id : null;
    }

    /// <summary>
    /// Rules that apply <paramref name="change"/> to every cipher object <paramref name="select"/> picks, in the sync, in
    /// <c>GET /api/ciphers</c> and in single-cipher reads; with <paramref name="includeWrites"/> also in the answers to
    /// creates and edits (<c>POST /api/ciphers</c>, <c>POST /api/ciphers/create</c>, <c>PUT /api/ciphers/{id}</c>,
    /// <c>PUT /api/ciphers/{id}/share</c>).
    /// </summary>
    public static HostileRule[] CipherRules(Func<JsonObject, bool> select, Action<JsonObject> change, bool includeWrites = false)
    {
        ArgumentNullException.ThrowIfNull(select);
        ArgumentNullException.ThrowIfNull(change);
        JsonNode? InList(JsonNode? body, string list)
        {
            foreach (var cipher in (body?[list] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (select(cipher))
                {
                    change(cipher);
                }
            }

            return body;
        }

        JsonNode? Single(JsonNode? body)
        {
            if (body is JsonObject cipher && cipher["id"] is not null && select(cipher))
            {
                change(cipher);
            }

            return body;
        }

        const string one = "^/api/ciphers/[0-9a-fA-F-]{36}(/details|/full-details)?$";
        List<HostileRule> rules =
        [
            HostileRule.Rewrite("GET", "^/api/sync$", b => InList(b, "ciphers")),
            HostileRule.Rewrite("GET", "^/api/ciphers$", b => InList(b, "data")),
            HostileRule.Rewrite("GET", one, Single),
        ];
        if (includeWrites)
        {
            rules.Add(HostileRule.Rewrite("POST", "^/api/ciphers(/create)?$", Single));
            rules.Add(HostileRule.Rewrite("PUT", "^/api/ciphers/[0-9a-fA-F-]{36}(/share)?$", Single));
        }

        return [.. rules];
    }
}

/// <summary>A scenario in two steps: <see cref="Capture"/> records honest answers (forwarding them unchanged); <see cref="Serve"/> replays them later.</summary>
public sealed record Replay(HostileScenario Capture, HostileScenario Serve);
