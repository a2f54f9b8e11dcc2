using System.Text.Json.Nodes;
using Coffer.Server.Accounts;
using Coffer.Server.Data;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// Security keys (provider 7) at the token endpoint (<c>bitwarden-sharing-features.md</c> §5.3–§5.4), and the
/// pending-ceremony store both the login and the registration use (<see cref="WebAuthnChallenge"/>). Each password
/// grant that ends in a challenge gets fresh assertion options, stored for the account (replacing older ones) for
/// <see cref="WebAuthnRelyingParty.TimeoutMilliseconds"/>. An answer consumes them whether it passes or not, with one
/// conditional DELETE, so a captured assertion can never be replayed (W-1), not even by two racing requests; Fido2
/// then checks the signature with the stored public key, the challenge (W-3), the origin (W-4) and RP id hash from
/// <c>Coffer:PublicUrl</c>, user presence and the type <c>webauthn.get</c>; the credential must be one of this
/// account's security keys (W-2); and a signature counter that does not increase is refused when either side is
/// non-zero (WebAuthn §6.1.1: a cloned authenticator).
/// </summary>
public static class SecurityKeyLogin
{
    /// <summary>The assertion options for the challenge's <c>"7"</c>, stored for this attempt; null while WebAuthn is off.</summary>
    public static async Task<JsonNode?> OptionsAsync(CofferDb db, WebAuthnRelyingParty relyingParty, Guid userId, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(relyingParty);
        if (relyingParty.Fido2 is not { } fido2)
        {
            return null;
        }

        var keys = await db.WebAuthnCredentials.AsNoTracking()
            .Where(c => c.UserId == userId && c.Kind == WebAuthnCredentialKind.SecurityKey).ToListAsync();
        var options = fido2.GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = Descriptors(keys),
            UserVerification = UserVerificationRequirement.Discouraged,
            Extensions = null,
        });
        var json = options.ToJson();
        await SaveChallengeAsync(db, userId, WebAuthnCeremony.LogInWithSecurityKey, json, now);
        return JsonNode.Parse(json);
    }

    /// <summary>Whether <paramref name="token"/> (the connector's JSON) is a valid assertion by one of the account's keys; saves the new counter.</summary>
    public static async Task<bool> VerifyAsync(CofferDb db, WebAuthnRelyingParty relyingParty, User user, string? token, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(relyingParty);
        ArgumentNullException.ThrowIfNull(user);
        if (relyingParty.Fido2 is not { } fido2 || await TakeChallengeAsync(db, user.Id, WebAuthnCeremony.LogInWithSecurityKey, now) is not { } options
            || WebAuthnPayloads.Assertion(token) is not { } assertion)
        {
            return false;
        }

        var key = await db.WebAuthnCredentials.SingleOrDefaultAsync(c =>
            c.UserId == user.Id && c.Kind == WebAuthnCredentialKind.SecurityKey && c.CredentialId == assertion.Id);
        if (key is null)
        {
            return false;
        }

        VerifyAssertionResult result;
        try
        {
            result = await fido2.MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = assertion,
                OriginalOptions = AssertionOptions.FromJson(options),
                StoredPublicKey = key.PublicKey,
                StoredSignatureCounter = (uint)key.SignCount,
                // The credential was looked up among this account's keys; a second factor carries no user handle.
                IsUserHandleOwnerOfCredentialIdCallback = (_, _) => Task.FromResult(true),
            });
        }
        catch (Fido2VerificationException)
        {
            return false;
        }

        if ((result.SignCount != 0 || key.SignCount != 0) && result.SignCount <= key.SignCount)
        {
            return false;
        }

        key.SignCount = result.SignCount;
        key.LastUsedDate = now;
        return true;
    }

    /// <summary>The account's credentials as WebAuthn descriptors (<c>allowCredentials</c>, <c>excludeCredentials</c>).</summary>
    public static List<PublicKeyCredentialDescriptor> Descriptors(IEnumerable<WebAuthnCredential> credentials) =>
        [.. credentials.Select(c => new PublicKeyCredentialDescriptor(
            PublicKeyCredentialType.PublicKey, Base64UrlEncoder.DecodeBytes(c.CredentialId), WebAuthnPayloads.ParseTransportList(c.Transports) is { Length: > 0 } t ? t : null))];

    /// <summary>Stores the options of a new ceremony for the account, replacing any pending one of the same kind; saved by the caller's commit.</summary>
    public static async Task SaveChallengeAsync(CofferDb db, Guid userId, WebAuthnCeremony ceremony, string options, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.WebAuthnChallenges.RemoveRange(await db.WebAuthnChallenges.Where(c => c.UserId == userId && c.Ceremony == ceremony).ToListAsync());
        db.WebAuthnChallenges.Add(new WebAuthnChallenge
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Ceremony = ceremony,
            Options = options,
            ExpirationDate = now.AddMilliseconds(WebAuthnRelyingParty.TimeoutMilliseconds),
        });
    }

    /// <summary>
    /// The pending options of the account's ceremony, deleted at once (single use: of two requests racing for them
    /// only the one whose DELETE removed the row gets them); null when there are none or they expired.
    /// </summary>
    public static async Task<string?> TakeChallengeAsync(CofferDb db, Guid userId, WebAuthnCeremony ceremony, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(db);
        var pending = await db.WebAuthnChallenges.AsNoTracking().Where(c => c.UserId == userId && c.Ceremony == ceremony)
            .OrderByDescending(c => c.ExpirationDate).FirstOrDefaultAsync();
        if (pending is null || await db.WebAuthnChallenges.Where(c => c.Id == pending.Id).ExecuteDeleteAsync() != 1)
        {
            return null;
        }

        return pending.ExpirationDate > now ? pending.Options : null;
    }
}
