using System.CommandLine;
using Coffer.Client;
using Coffer.Client.Crypto;

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

    /// <summary>
    /// The Base64 SPKI of <paramref name="userId"/>, once its phrase matched <paramref name="typed"/> or the person at the
    /// terminal answered "yes" to it; otherwise a <see cref="CliException"/> saying <paramref name="who"/> was not
    /// <paramref name="outcome"/> (confirmed, or given the new key of a rotation).
    /// </summary>
    public static async Task<string> VerifiedPublicKeyAsync(
        CliContext ctx, CofferApiClient client, Guid userId, string who, string? typed, string outcome, CancellationToken ct)
    {
        var publicKey = await client.GetUserPublicKeyAsync(userId, ct);
        if (publicKey.UserId != userId)
        {
            throw new CliException($"The server answered with the public key of another user; not {outcome}.");
        }

        string phrase;
        try
        {
            phrase = FingerprintPhrase.Compute(userId.ToString(), publicKey.PublicKey);
        }
        catch (FormatException e)
        {
            throw new CliException($"The server sent a public key that is not Base64; not {outcome}.", e);
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

        return publicKey.PublicKey;
    }
}
