using Coffer.Cli.Storage;
using Coffer.Client;
using Coffer.Client.Integrity;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary>
/// The pins of the session's account, loaded with the session and written back one change at a time (each change
/// re-reads the file first, so a pin another step of the same command wrote is never lost).
/// </summary>
internal sealed class TrustPinStore(CliContext ctx, Uri server, string email, AccountPins current)
{
    /// <summary>The invocation the pins were read in (for its clock).</summary>
    public CliContext Context => ctx;

    /// <summary>The pins as last read or written.</summary>
    public AccountPins Current { get; private set; } = current;

    public static TrustPinStore Load(CliContext ctx, SessionState session)
    {
        var server = new Uri(session.Server);
        return new TrustPinStore(ctx, server, session.Email, ctx.LoadPins(server, session.Email) ?? AccountPins.Create(session.Server, session.Email));
    }

    public void Update(Action<AccountPins> change)
    {
        var pins = ctx.LoadPins(server, email) ?? AccountPins.Create(server.ToString(), email);
        change(pins);
        ctx.SavePins(pins);
        Current = pins;
    }
}

/// <summary>
/// Organizations against a malicious server (malicious-server.md BW01, BW02, BW08, BW09, §3.13). An organization in the
/// sync is used only with a pin: <c>created-here</c> (<c>coffer org create</c> pins the key it generated before the first
/// sync), <c>accepted-here</c> (<c>coffer org accept</c>) or <c>confirmed-by-user-prompt</c> (<c>coffer org trust</c>
/// after its fingerprint phrase). Without one it is quarantined: its key is never unwrapped (so nothing is encrypted
/// under it), its items and collections are neither listed nor found, its policies are ignored, and it is never offered
/// as an owner. A pinned organization whose key id or public key changes is disabled on this device (refusal
/// <c>org-overwrite</c>). Coffer has no account recovery: nothing here, or anywhere in the CLI, sends a
/// <c>resetPasswordKey</c>.
/// </summary>
internal static class OrganizationGuard
{
    public const string Overwrite = "org-overwrite";
    public const string Inject = "org-inject";

    /// <summary>The session with its account's pins attached (not stored in session.json).</summary>
    public static SessionState Attach(CliContext ctx, SessionState session) => session with { TrustPins = TrustPinStore.Load(ctx, session) };

    public static OrganizationTrustState State(SessionState session, Guid organizationId) =>
        OrganizationTrust.State(session.TrustPins?.Current, organizationId);

    /// <summary>Which organizations' keys may be unwrapped: trusted ones only; none for a session without its pins.</summary>
    public static Func<Guid, bool> Usable(SessionState session) =>
        session.TrustPins is { } store ? id => OrganizationTrust.IsTrusted(store.Current, id) : _ => false;

    /// <summary>
    /// After a sync: says which organizations are quarantined or disabled, and what a trusted one's ResetPassword policy
    /// asks (never obeyed). The quarantine question itself is <c>coffer org trust</c>'s. <paramref name="pins"/> is the
    /// record the sync's checks just saved, attached without reading it again.
    /// </summary>
    public static SessionState AfterSync(CliContext ctx, SessionState session, AccountPins pins)
    {
        session = session with { TrustPins = new TrustPinStore(ctx, new Uri(session.Server), session.Email, pins) };
        foreach (var org in session.Sync?.Profile.Organizations ?? [])
        {
            switch (OrganizationTrust.State(pins, org.Id))
            {
                case OrganizationTrustState.Quarantined:
                    Warn(ctx, Inject, $"You are now listed as a member of '{org.Name}' ({org.Id}), which this device never saw you join. "
                        + $"Its items, collections and policies stay hidden and its key unused until you check its fingerprint with `coffer org trust {org.Id}`.");
                    break;
                case OrganizationTrustState.Disabled:
                    Warn(ctx, Overwrite, $"Organization '{org.Name}' ({org.Id}) is disabled on this device: the server replaced its keys.");
                    break;
            }
        }

        foreach (var policy in OrganizationTrust.Policies(session.Sync, pins).Where(p => p.Type == OrganizationTrust.ResetPasswordPolicy))
        {
            var name = session.Sync!.Profile.Organizations.First(o => o.Id == policy.OrganizationId).Name;
            ctx.Notice($"'{name}' asks to be able to reset your master password (account recovery). Coffer has no account recovery and does not enrol.");
        }

        return session;
    }

    /// <summary>
    /// Checks the organization keys just unwrapped against their pins: the first key of an organization accepted here is
    /// pinned; a key with another id than the pinned one disables that organization and refuses (BW09).
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>org-overwrite</c>; <paramref name="keys"/> is disposed first.</exception>
    public static void CheckKeys(SessionState session, VaultKeys keys)
    {
        if (session.TrustPins is not { } store)
        {
            return;
        }

        var replaced = new List<Guid>();
        var firstKeys = new Dictionary<Guid, string>();
        foreach (var id in keys.Organizations)
        {
            var pin = store.Current.Organizations[id];
            var key = keys.Organization(id);
            if (!OrganizationTrust.SameKey(pin, key))
            {
                replaced.Add(id);
            }
            else if (pin.KeyId is null)
            {
                firstKeys[id] = key.KeyId;
            }
        }

        if (firstKeys.Count > 0)
        {
            store.Update(pins =>
            {
                foreach (var (id, keyId) in firstKeys)
                {
                    pins.Organizations[id] = pins.Organizations[id] with { KeyId = keyId };
                }
            });
        }

        if (replaced.Count > 0)
        {
            keys.Dispose();
            var refusals = replaced.ConvertAll(id => Disable(session, id));
            throw refusals[0];
        }
    }

    /// <summary>Disables <paramref name="organizationId"/> on this device and returns the refusal to throw.</summary>
    public static ServerIntegrityException Disable(SessionState session, Guid organizationId)
    {
        session.TrustPins?.Update(pins =>
        {
            if (pins.Organizations.TryGetValue(organizationId, out var pin))
            {
                pins.Organizations[organizationId] = pin with { DisabledDate = session.TrustPins.Context.Host.Time.GetUtcNow() };
            }
        });
        return new ServerIntegrityException(
            Overwrite,
            $"The server replaced the keys of organization '{Name(session, organizationId)}'. It has been disabled on this device; "
            + "ask one of its owners whether its keys really changed before trusting it again with `coffer org trust`.");
    }

    /// <summary>
    /// The organization's public key from the server, checked against its pin (a different one disables it and refuses),
    /// and pinned if the pin had none yet.
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>org-overwrite</c>.</exception>
    public static async Task<string> PinnedPublicKeyAsync(SessionState session, CofferApiClient client, Guid organizationId, CancellationToken ct)
    {
        var publicKey = await client.GetOrganizationPublicKeyAsync(organizationId, ct);
        CheckPublicKey(session, organizationId, publicKey);
        return publicKey;
    }

    /// <summary>Checks <paramref name="publicKey"/> against the organization's pin, pinning it when the pin had none.</summary>
    /// <exception cref="ServerIntegrityException"><c>org-overwrite</c>.</exception>
    public static void CheckPublicKey(SessionState session, Guid organizationId, string publicKey)
    {
        if (session.TrustPins?.Current.Organizations.GetValueOrDefault(organizationId) is not { } pin)
        {
            return;
        }

        if (!OrganizationTrust.SamePublicKey(pin, publicKey))
        {
            throw Disable(session, organizationId);
        }

        if (pin.PublicKeySha256 is null)
        {
            var digest = OrganizationTrust.PublicKeyDigest(publicKey);
            session.TrustPins.Update(pins => pins.Organizations[organizationId] = pins.Organizations[organizationId] with { PublicKeySha256 = digest });
        }
    }

    /// <summary>
    /// Before a key rotation (BW02): Coffer has no account recovery, so no organization ever gets a copy of the new user
    /// key. Each organization the server lists for one (<c>organizationPasswordResetKeyData</c>, or
    /// <c>resetPasswordEnrolled</c> in the sync) is still checked: a pinned one whose public key changed is an attack and
    /// refuses the whole rotation before anything is sent; the others are named, so the user knows they were left out.
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>org-overwrite</c>: nothing has been sent.</exception>
    public static async Task CheckRotationAsync(CliContext ctx, SessionState session, CofferApiClient client, IReadOnlyList<object> recoveryKeyData, CancellationToken ct)
    {
        var served = new Dictionary<Guid, (string Name, string? PublicKey)>();
        foreach (var entry in recoveryKeyData.Select(e => System.Text.Json.JsonSerializer.SerializeToElement(e, CofferJson.Options)))
        {
            if (entry.TryGetProperty("organizationId", out var idValue) && idValue.TryGetGuid(out var id))
            {
                var name = entry.TryGetProperty("organizationName", out var n) && n.GetString() is { Length: > 0 } text ? text : Name(session, id);
                served[id] = (name, entry.TryGetProperty("publicKey", out var k) ? k.GetString() : null);
            }
        }

        foreach (var org in session.Sync?.Profile.Organizations.Where(o => o.ResetPasswordEnrolled) ?? [])
        {
            served.TryAdd(org.Id, (org.Name, null));
        }

        foreach (var (id, (name, publicKey)) in served)
        {
            if (State(session, id) != OrganizationTrustState.Trusted)
            {
                ctx.Notice($"'{name}' is not trusted on this device: it gets no copy of the new key.");
                continue;
            }

            if (publicKey is not null)
            {
                CheckPublicKey(session, id, publicKey);
            }

            await PinnedPublicKeyAsync(session, client, id, ct);
            ctx.Notice($"'{name}' gets no copy of the new key: Coffer has no account recovery, so you are not enrolled in it for '{name}'.");
        }
    }

    /// <summary>The name the sync gives <paramref name="organizationId"/>, else its id.</summary>
    public static string Name(SessionState session, Guid organizationId) =>
        session.Sync?.Profile.Organizations.FirstOrDefault(o => o.Id == organizationId)?.Name ?? organizationId.ToString();

    /// <summary>A warning line, <c>coffer: warning (CODE): SENTENCE</c>, on stderr whatever --quiet says.</summary>
    public static void Warn(CliContext ctx, string code, string sentence) => ctx.Host.Error.WriteLine($"coffer: warning ({code}): {sentence}");
}
