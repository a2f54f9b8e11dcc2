using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Accounts;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.Organizations;

/// <summary>
/// Organization invitations (doc §4.2, §4.3). The token of the invitation link is
/// <c>base64url(payload) "." base64url(HMAC-SHA-256(k, payload))</c> with payload
/// <c>v1|memberId|organizationId|expiry (Unix s)|base64url(e-mail)</c>, k derived from the server's signing key with
/// HKDF (RFC 5869) under its own label, so it is never mistaken for another Coffer token. The format is private to
/// the server: the web vault only passes it back. It lives <see cref="Lifetime"/> (Vaultwarden's default).
/// </summary>
public static class OrganizationInvitations
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(120);

    private const string Version = "v1";
    private static readonly byte[] Label = Encoding.UTF8.GetBytes("coffer organization invitation");

    /// <summary>What a valid token vouches for.</summary>
    public sealed record Claims(Guid MembershipId, Guid OrganizationId, string Email);

    public static string CreateToken(TokenService tokens, DateTimeOffset now, Membership membership)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(membership);
        var expires = now.Add(Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = Encoding.UTF8.GetBytes(string.Join('|', Version, membership.Id.ToString("N"), membership.OrganizationId.ToString("N"),
            expires, Base64UrlEncoder.Encode(membership.Email)));
        return Base64UrlEncoder.Encode(payload) + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(Key(tokens), payload));
    }

    /// <summary>The claims of an untampered, unexpired token, else null. The caller compares them with the request.</summary>
    public static Claims? Read(TokenService tokens, DateTimeOffset now, string? token)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (token is not { Length: > 0 and <= 1024 } || token.Split('.') is not [var encodedPayload, var encodedMac])
        {
            return null;
        }

        byte[] payload;
        byte[] mac;
        try
        {
            payload = Base64UrlEncoder.DecodeBytes(encodedPayload);
            mac = Base64UrlEncoder.DecodeBytes(encodedMac);
        }
        catch (FormatException)
        {
            return null;
        }

        // The MAC first, in constant time: nothing in an unauthenticated payload is looked at.
        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(Key(tokens), payload)))
        {
            return null;
        }

        var fields = Encoding.UTF8.GetString(payload).Split('|');
        return fields.Length == 5 && fields[0] == Version
            && Guid.TryParseExact(fields[1], "N", out var membershipId)
            && Guid.TryParseExact(fields[2], "N", out var organizationId)
            && long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && expires > now.ToUnixTimeSeconds()
            ? new Claims(membershipId, organizationId, Base64UrlEncoder.Decode(fields[4]))
            : null;
    }

    /// <summary>
    /// The link the web vault opens (doc §4.2): <c>&lt;origin&gt;/#/accept-organization/?email=…&amp;organizationName=…
    /// &amp;organizationId=…&amp;organizationUserId=…&amp;token=…&amp;initOrganization=false&amp;orgUserHasExistingUser=…</c>.
    /// Both trailing parameters are required, or current web vaults refuse the link before calling the server (P18).
    /// </summary>
    public static string Link(string origin, Organization organization, Membership membership, string token, bool existingUser)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(membership);
        var query = string.Join('&',
            "email=" + Uri.EscapeDataString(membership.Email),
            "organizationName=" + Uri.EscapeDataString(organization.Name),
            "organizationId=" + organization.Id.ToString("D"),
            "organizationUserId=" + membership.Id.ToString("D"),
            "token=" + Uri.EscapeDataString(token),
            "initOrganization=false",
            "orgUserHasExistingUser=" + (existingUser ? "true" : "false"));
        return $"{origin}/#/accept-organization/?{query}";
    }

    /// <summary>
    /// Called in the transaction that creates <paramref name="user"/>: while Coffer has no e-mail transport, an
    /// invitation to this address is accepted by registering with it (doc §4.2, Vaultwarden with SMTP off). Each
    /// pending membership gets the account and becomes Accepted (a revoked one will restore to Accepted); an admin
    /// still has to confirm it. Returns the organizations concerned.
    /// </summary>
    public static async Task<List<Guid>> AcceptOnRegistrationAsync(CofferDb db, User user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(user);
        var pending = await db.Memberships.Where(m => m.Email == user.Email && m.UserId == null).ToListAsync(ct);
        foreach (var membership in pending)
        {
            membership.UserId = user.Id;
            membership.RevisionDate = user.CreationDate;
            if (membership.Status == MembershipStatus.Invited)
            {
                membership.Status = MembershipStatus.Accepted;
            }
            else if (membership is { Status: MembershipStatus.Revoked, StatusBeforeRevoke: MembershipStatus.Invited })
            {
                membership.StatusBeforeRevoke = MembershipStatus.Accepted;
            }
        }

        return [.. pending.Select(m => m.OrganizationId)];
    }

    private static byte[] Key(TokenService tokens) => HKDF.DeriveKey(HashAlgorithmName.SHA256, tokens.SigningKey, 32, salt: [], info: Label);
}
