using Coffer.Protocol.Api;

namespace Coffer.Client.Integrity;

/// <summary>How a client treats a finding (malicious-server.md §2.2 "Response classes").</summary>
public enum FindingKind
{
    /// <summary>Shown; the client goes on.</summary>
    Warn,

    /// <summary>The item is hidden and never uploaded until the user accepts the server's version.</summary>
    Quarantine,

    /// <summary>The item is hidden and never uploaded, and the user cannot accept it: no honest client produces this.</summary>
    Refuse,
}

/// <summary>One thing a sync (or a write's echo) did that the pins do not explain.</summary>
/// <param name="Code">The check's id (malicious-server.md §0 scenario ids): <c>ciphertext-moved</c>, <c>type-change</c>, …</param>
/// <param name="Kind">Warn, quarantine or refuse.</param>
/// <param name="CipherId">The item it concerns; null for the whole account (<c>rollback</c>, <c>vanish</c>).</param>
/// <param name="Message">One plain sentence for the user.</param>
public sealed record VaultFinding(string Code, FindingKind Kind, Guid? CipherId, string Message);

/// <summary>
/// The vault checks of malicious-server.md (BW04, BW05, BW10, §3.13) against the per-cipher pins of
/// <see cref="AccountPins"/>. Everything here reads plaintext metadata and ciphertext digests only, so it runs before
/// anything is decrypted, with or without the user key:
/// <list type="bullet">
/// <item>the same EncString twice in one answer: refuse the whole sync (<c>ciphertext-reused</c>), nothing is pinned;</item>
/// <item>a known EncString at another (cipher, field): quarantine that item (<c>ciphertext-moved</c>);</item>
/// <item>a cipher that had a <c>key</c> arrives without: refuse that item (<c>cipher-key-stripped</c>);</item>
/// <item>another <c>type</c> for a known id: refuse that item (<c>type-change</c>);</item>
/// <item><c>reprompt</c> 1 → 0 not made by this client: quarantine (<c>meta-reprompt-off</c>);</item>
/// <item>another <c>organizationId</c> not made by this client: quarantine (<c>org-move</c>);</item>
/// <item>an item <c>revisionDate</c> older than pinned: quarantine (<c>item-rollback</c>);</item>
/// <item>the account revision date older than pinned: warn (<c>rollback</c>);</item>
/// <item>pinned items missing that this client did not delete: warn (<c>vanish</c>).</item>
/// </list>
/// A client records its own writes (<see cref="PinOwnWrite"/>, <see cref="ForgetOwnDelete"/>) so they never count as the server's.
/// </summary>
public static class VaultIntegrity
{
    /// <summary>
    /// Checks the ciphers of a sync (<c>GET /api/sync</c>'s <c>ciphers</c>) against <paramref name="pins"/> without changing them.
    /// <paramref name="accountRevision"/> is <c>GET /api/accounts/revision-date</c> (null when unknown).
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>ciphertext-reused</c>: one EncString at two places of this answer.</exception>
    public static IReadOnlyList<VaultFinding> Check(AccountPins pins, IReadOnlyList<CipherDetailsResponseModel> ciphers, DateTimeOffset? accountRevision)
    {
        ArgumentNullException.ThrowIfNull(pins);
        ArgumentNullException.ThrowIfNull(ciphers);
        var seen = new Dictionary<string, CiphertextSite>(StringComparer.Ordinal);
        foreach (var cipher in ciphers)
        {
            foreach (var (digest, site) in Ciphertexts(cipher))
            {
                if (!seen.TryAdd(digest, site))
                {
                    var first = seen[digest];
                    throw new ServerIntegrityException(
                        "ciphertext-reused",
                        $"The server sent one encrypted value twice (item {first.OwnerId} {first.Field} and item {site.OwnerId} {site.Field}); honest clients never do that, so nothing from this sync was used.");
                }
            }
        }

        var findings = new List<VaultFinding>();
        if (accountRevision is { } revision && pins.AccountRevisionDate is { } pinned && revision < pinned)
        {
            findings.Add(new VaultFinding("rollback", FindingKind.Warn, null,
                $"The server sent an older state of your vault (revision {Format(revision)}, last seen {Format(pinned)}); changes made since may be missing."));
        }

        foreach (var cipher in ciphers)
        {
            findings.AddRange(CheckCipher(pins, cipher));
        }

        var present = ciphers.Select(c => c.Id).ToHashSet();
        var vanished = pins.Ciphers.Keys.Where(id => !present.Contains(id)).Order().ToList();
        if (vanished.Count > 0)
        {
            findings.Add(new VaultFinding("vanish", FindingKind.Warn, null,
                $"{vanished.Count} item(s) vanished since the last sync without being deleted here: {string.Join(", ", vanished)}. Another app may have deleted them, or the server withheld them."));
        }

        return findings;
    }

    /// <summary>The ids of the items <paramref name="findings"/> hide (quarantined or refused).</summary>
    public static IReadOnlySet<Guid> Held(IEnumerable<VaultFinding> findings) =>
        findings.Where(f => f.Kind != FindingKind.Warn && f.CipherId is not null).Select(f => f.CipherId!.Value).ToHashSet();

    /// <summary>
    /// Records a checked sync in <paramref name="pins"/>: every item not held gets its current pin and ciphertext-index
    /// entries; a held item keeps its old pin and old entries (so the next sync finds the same difference); items gone
    /// are forgotten (after the <c>vanish</c> warning); the account revision date only moves forward.
    /// </summary>
    public static void Accept(AccountPins pins, IReadOnlyList<CipherDetailsResponseModel> ciphers, DateTimeOffset? accountRevision, IReadOnlyList<VaultFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(pins);
        ArgumentNullException.ThrowIfNull(ciphers);
        ArgumentNullException.ThrowIfNull(findings);
        var held = Held(findings);
        var pinned = pins.Ciphers.Where(p => held.Contains(p.Key)).ToDictionary();
        var index = pins.CiphertextIndex.Where(e => held.Contains(e.Value.OwnerId)).ToDictionary();
        foreach (var cipher in ciphers.Where(c => !held.Contains(c.Id)))
        {
            pinned[cipher.Id] = PinOf(cipher);
            foreach (var (digest, site) in Ciphertexts(cipher))
            {
                index[digest] = site;
            }
        }

        Replace(pins.Ciphers, pinned);
        Replace(pins.CiphertextIndex, index);
        pins.CipherKeysInUse |= ciphers.Any(c => !string.IsNullOrEmpty(c.Key));
        if (accountRevision is { } revision && (pins.AccountRevisionDate is null || revision > pins.AccountRevisionDate))
        {
            pins.AccountRevisionDate = revision;
        }
    }

    /// <summary>The user accepted the server's version of <paramref name="cipher"/> (a reviewed quarantine): pin it as it is now.</summary>
    public static void AcceptItem(AccountPins pins, CipherDetailsResponseModel cipher)
    {
        ArgumentNullException.ThrowIfNull(pins);
        ArgumentNullException.ThrowIfNull(cipher);
        foreach (var stale in pins.CiphertextIndex.Where(e => e.Value.OwnerId == cipher.Id).Select(e => e.Key).ToList())
        {
            pins.CiphertextIndex.Remove(stale);
        }

        PinOwnWrite(pins, cipher);
        foreach (var (digest, site) in Ciphertexts(cipher))
        {
            pins.CiphertextIndex[digest] = site;
        }
    }

    /// <summary>
    /// The echo check after this client created or updated a cipher (malicious-server.md BW10 defence 3): the answer must
    /// carry the very <c>key</c> EncString that was sent. If not, the item is pinned as keyed anyway (so a keyless copy is
    /// refused at the next sync) and the write is refused.
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>cipher-key-dropped</c>.</exception>
    public static void CheckEcho(AccountPins pins, CipherRequestModel sent, CipherDetailsResponseModel echo)
    {
        ArgumentNullException.ThrowIfNull(pins);
        ArgumentNullException.ThrowIfNull(sent);
        ArgumentNullException.ThrowIfNull(echo);
        if (string.IsNullOrEmpty(sent.Key) || string.Equals(sent.Key, echo.Key, StringComparison.Ordinal))
        {
            PinOwnWrite(pins, echo);
            return;
        }

        pins.Ciphers[echo.Id] = PinOf(echo) with { HasKey = true, Type = (int)sent.Type, Reprompt = sent.Reprompt };
        pins.CipherKeysInUse = true;
        throw new ServerIntegrityException(
            "cipher-key-dropped",
            $"The server did not keep the item key coffer sent for item {echo.Id}; coffer kept its own copy and will not use or upload the server's.");
    }

    /// <summary>A write of this client (create, edit, share, restore): its echo becomes the pin, so the next sync does not count it as the server's change.</summary>
    public static void PinOwnWrite(AccountPins pins, CipherDetailsResponseModel echo)
    {
        ArgumentNullException.ThrowIfNull(pins);
        ArgumentNullException.ThrowIfNull(echo);
        pins.Ciphers[echo.Id] = PinOf(echo);
        pins.CipherKeysInUse |= !string.IsNullOrEmpty(echo.Key);
    }

    /// <summary>This client deleted <paramref name="cipherId"/> for good: it is not a vanished item at the next sync.</summary>
    public static void ForgetOwnDelete(AccountPins pins, Guid cipherId)
    {
        ArgumentNullException.ThrowIfNull(pins);
        pins.Ciphers.Remove(cipherId);
        foreach (var stale in pins.CiphertextIndex.Where(e => e.Value.OwnerId == cipherId).Select(e => e.Key).ToList())
        {
            pins.CiphertextIndex.Remove(stale);
        }
    }

    /// <summary>What a sync says about one cipher, as pinned.</summary>
    public static CipherPin PinOf(CipherDetailsResponseModel cipher)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        return new CipherPin(
            new DateTimeOffset(DateTime.SpecifyKind(cipher.RevisionDate, DateTimeKind.Utc)),
            !string.IsNullOrEmpty(cipher.Key),
            cipher.Reprompt,
            (int)cipher.Type,
            Guid.TryParse(cipher.OrganizationId, out var org) ? org : null);
    }

    /// <summary>
    /// Every EncString of <paramref name="cipher"/> with the field it sits in (<c>key</c>, <c>name</c>, <c>login.password</c>,
    /// <c>login.uris[].uri</c>, <c>fields[].value</c>, …; list positions are left out, so reordering is not a move), as
    /// (<see cref="AccountPins.CiphertextDigest"/>, site). The sync's legacy <c>login.uri</c> copy is not a field.
    /// </summary>
    public static IEnumerable<(string Digest, CiphertextSite Site)> Ciphertexts(CipherDetailsResponseModel cipher)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        var values = new List<(string Field, string? Value)>
        {
            ("key", cipher.Key), ("name", cipher.Name), ("notes", cipher.Notes),
        };
        if (cipher.Login is { } l)
        {
            values.AddRange([("login.username", l.Username), ("login.password", l.Password), ("login.totp", l.Totp)]);
            foreach (var uri in l.Uris ?? [])
            {
                values.AddRange([("login.uris[].uri", uri.Uri), ("login.uris[].uriChecksum", uri.UriChecksum)]);
            }
        }

        if (cipher.Card is { } c)
        {
            values.AddRange([("card.cardholderName", c.CardholderName), ("card.brand", c.Brand), ("card.number", c.Number),
                ("card.expMonth", c.ExpMonth), ("card.expYear", c.ExpYear), ("card.code", c.Code)]);
        }

        if (cipher.Identity is { } i)
        {
            values.AddRange([("identity.title", i.Title), ("identity.firstName", i.FirstName), ("identity.middleName", i.MiddleName),
                ("identity.lastName", i.LastName), ("identity.address1", i.Address1), ("identity.address2", i.Address2),
                ("identity.address3", i.Address3), ("identity.city", i.City), ("identity.state", i.State),
                ("identity.postalCode", i.PostalCode), ("identity.country", i.Country), ("identity.company", i.Company),
                ("identity.email", i.Email), ("identity.phone", i.Phone), ("identity.ssn", i.Ssn), ("identity.username", i.Username),
                ("identity.passportNumber", i.PassportNumber), ("identity.licenseNumber", i.LicenseNumber)]);
        }

        if (cipher.SshKey is { } s)
        {
            values.AddRange([("sshKey.privateKey", s.PrivateKey), ("sshKey.publicKey", s.PublicKey), ("sshKey.keyFingerprint", s.KeyFingerprint)]);
        }

        foreach (var field in cipher.Fields ?? [])
        {
            values.AddRange([("fields[].name", field.Name), ("fields[].value", field.Value)]);
        }

        foreach (var old in cipher.PasswordHistory ?? [])
        {
            values.Add(("passwordHistory[].password", old.Password));
        }

        return values
            .Where(v => !string.IsNullOrEmpty(v.Value))
            .Select(v => (AccountPins.CiphertextDigest(v.Value!), new CiphertextSite(cipher.Id, v.Field)));
    }

    private static IEnumerable<VaultFinding> CheckCipher(AccountPins pins, CipherDetailsResponseModel cipher)
    {
        var id = cipher.Id;
        if (pins.Ciphers.TryGetValue(id, out var pin))
        {
            var now = PinOf(cipher);
            if (pin.Type != now.Type)
            {
                yield return new VaultFinding("type-change", FindingKind.Refuse, id,
                    $"The server changed the type of item {id} ({pin.Type} → {now.Type}); no client does that, so the item is refused.");
            }

            if (pin.HasKey && !now.HasKey)
            {
                yield return new VaultFinding("cipher-key-stripped", FindingKind.Refuse, id,
                    $"The server sent item {id} without the item key it had; the item is refused.");
            }

            if (pin.Reprompt == 1 && now.Reprompt == 0)
            {
                yield return new VaultFinding("meta-reprompt-off", FindingKind.Quarantine, id,
                    $"Item {id}: master-password re-prompt was switched off by the server, not by this client; the item is hidden until you review it.");
            }

            if (pin.OrganizationId != now.OrganizationId)
            {
                yield return new VaultFinding("org-move", FindingKind.Quarantine, id,
                    $"Item {id} moved from {Owner(pin.OrganizationId)} to {Owner(now.OrganizationId)} without this client moving it; it is hidden until you review it.");
            }

            if (now.RevisionDate < pin.RevisionDate)
            {
                yield return new VaultFinding("item-rollback", FindingKind.Quarantine, id,
                    $"The server served an older version of item {id} ({Format(now.RevisionDate)}, last seen {Format(pin.RevisionDate)}); it is hidden until you review it.");
            }
        }

        var moved = Ciphertexts(cipher)
            .Where(c => pins.CiphertextIndex.TryGetValue(c.Digest, out var known) && known != c.Site)
            .Select(c => (Known: pins.CiphertextIndex[c.Digest], c.Site))
            .FirstOrDefault();
        if (moved.Site is not null)
        {
            yield return new VaultFinding("ciphertext-moved", FindingKind.Quarantine, id,
                $"Item {id}: the server moved encrypted data (seen at item {moved.Known.OwnerId} {moved.Known.Field}) into {moved.Site.Field}; the item is hidden until you review it.");
        }
    }

    private static string Owner(Guid? organizationId) => organizationId is { } org ? $"organization {org}" : "your own vault";

    private static string Format(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static void Replace<TKey, TValue>(Dictionary<TKey, TValue> target, Dictionary<TKey, TValue> source)
        where TKey : notnull
    {
        target.Clear();
        foreach (var (key, value) in source)
        {
            target[key] = value;
        }
    }
}
