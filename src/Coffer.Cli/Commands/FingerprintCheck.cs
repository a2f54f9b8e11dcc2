using System.CommandLine;
using Coffer.Cli.Storage;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;

namespace Coffer.Cli.Commands;

/// <summary>
/// The check before a key is wrapped for another user (organization confirm, emergency access confirm): fetch their
/// public key, show its fingerprint phrase and confirm only when the person reads the same phrase from their own
/// device, so a key swapped by the server is caught (malicious-server.md §2.3, §3.13).
/// </summary>
internal static class FingerprintCheck
{
    public static Option<string?> Option(string whose) => new("--fingerprint")
    {
        Description = $"The {whose}'s fingerprint phrase as they read it to you; confirm only if it matches",
    };

    /// <summary>Refuses early (exit 2) when there is neither a typed phrase nor a terminal to ask at.</summary>
    public static void RequireWayToAsk(CliContext ctx, string? typed, string whose)
    {
        if (typed is null && ctx.Host.ReadLineFromTerminal is null)
        {
            throw CliException.Usage($"No terminal to ask whether the fingerprint phrase matches; pass --fingerprint \"PHRASE\" as the {whose} reads it from their device.");
        }
    }

    /// <summary>Whether <paramref name="userId"/>'s key is already pinned (so no phrase needs to be asked for).</summary>
    public static bool IsPinned(SessionState session, Guid userId) => session.TrustPins?.Current.People.ContainsKey(userId) == true;

    /// <summary>
    /// The Base64 SPKI of <paramref name="userId"/>. A person pinned earlier must have the same key (else the refusal
    /// <paramref name="check"/> names, nothing sent); anyone else only once its phrase matched <paramref name="typed"/> or
    /// the person at the terminal answered "yes" to it, and is then pinned (malicious-server.md §3.13). Otherwise a
    /// <see cref="CliException"/> saying <paramref name="who"/> was not <paramref name="outcome"/> (confirmed, or given the
    /// new key of a rotation).
    /// </summary>
    /// <exception cref="ServerIntegrityException"><see cref="PersonCheck.SwapCode"/>: the server gave a pinned person another key.</exception>
    public static async Task<string> VerifiedPublicKeyAsync(
        CliContext ctx, SessionState session, CofferApiClient client, Guid userId, PersonCheck check, string who, string? typed, string outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(check);
        var publicKey = await client.GetUserPublicKeyAsync(userId, ct);
        if (publicKey.UserId != userId)
        {
            throw new CliException($"The server answered with the public key of another user; not {outcome}.");
        }

        string phrase;
        string digest;
        try
        {
            phrase = FingerprintPhrase.Compute(userId.ToString(), publicKey.PublicKey);
            digest = OrganizationTrust.PublicKeyDigest(publicKey.PublicKey);
        }
        catch (FormatException e)
        {
            throw new CliException($"The server sent a public key that is not Base64; not {outcome}.", e);
        }

        if (session.TrustPins?.Current.People.GetValueOrDefault(userId) is { } pin)
        {
            if (pin.PublicKeySha256 != digest)
            {
                throw new ServerIntegrityException(
                    check.SwapCode,
                    $"The server gave another public key for {who} than the one you checked on {pin.PinnedDate:yyyy-MM-dd}; {who} was NOT {outcome}. "
                    + "A person's key does not change without a new account: tell them, and do not use this server until it is explained.");
            }

            if (typed is not null && !FingerprintPhrase.Matches(phrase, typed))
            {
                throw new CliException($"The fingerprint phrase does not match the key you checked for {who} before ('{phrase}'); not {outcome}.");
            }

            return publicKey.PublicKey;
        }

        if (typed is not null)
        {
            if (!FingerprintPhrase.Matches(phrase, typed))
            {
                throw new CliException(
                    $"The fingerprint phrase does not match: the server gave a key whose phrase is '{phrase}'. {who} was NOT confirmed; "
                    + "check the phrase with them again, over a channel the server does not carry.");
            }
        }
        else
        {
            ctx.Host.Error.WriteLine($"Fingerprint phrase of {who}: {phrase}");
            ctx.Host.Error.WriteLine("Ask them to read the phrase their own device shows (Settings > My account in the web vault), in person or by phone.");
            var answer = ctx.Host.ReadLineFromTerminal!("Type yes if it is the same phrase: ");
            if (!string.Equals(answer?.Trim(), "yes", StringComparison.Ordinal))
            {
                throw new CliException($"{who} was not {outcome}.");
            }
        }

        session.TrustPins?.Update(pins => pins.People[userId] = new PersonPin(digest, check.Relation, ctx.Host.Time.GetUtcNow()));
        return publicKey.PublicKey;
    }
}

/// <summary>What a person's key is checked for: the pin's relation, and the refusal code when the server swaps it.</summary>
/// <param name="Relation"><see cref="PersonPin.Relation"/>: <c>org-member</c> or <c>grantee</c>.</param>
/// <param name="SwapCode">The <see cref="ServerIntegrityException.Code"/> of a changed key: <c>confirm-pk-swap</c> or <c>ea-pk-swap</c>.</param>
internal sealed record PersonCheck(string Relation, string SwapCode)
{
    /// <summary>Organization confirm: the organization key is wrapped to this key.</summary>
    public static readonly PersonCheck OrgMember = new("org-member", "confirm-pk-swap");

    /// <summary>Emergency access confirm and key rotation: the user key is wrapped to this key.</summary>
    public static readonly PersonCheck Grantee = new("grantee", "ea-pk-swap");
}
