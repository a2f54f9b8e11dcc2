using Coffer.Server.Accounts;
using Coffer.Server.Data;
using Coffer.Server.Files;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Emergency;

/// <summary>
/// Emergency access invitations (<c>bitwarden-sharing-features.md</c> §4.7). The link's token is a
/// <see cref="ScopedTokens"/> token (HS256 under a key derived from the server's signing key with HKDF, audience
/// <c>{issuer}|emergency-invitation</c>, so it is never accepted as any other Coffer token) whose subject binds the
/// grant id and the invited address, as upstream's <c>EmergencyAccessInviteTokenable</c> does; it lives
/// <see cref="EmergencyAccessOptions.InvitationHours"/>. The web vault only passes it back.
/// </summary>
public static class EmergencyAccessInvitations
{
    public const string Purpose = "emergency-invitation";

    public static string CreateToken(ScopedTokens tokens, EmergencyAccessOptions options, EmergencyAccessGrant grant)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(grant);
        return tokens.Create(Purpose, Subject(grant.Id, grant.Email), TimeSpan.FromHours(options.InvitationHours));
    }

    /// <summary>Whether <paramref name="token"/> is valid, unexpired, and for grant <paramref name="grantId"/> and address <paramref name="email"/>.</summary>
    public static async Task<bool> IsValidAsync(ScopedTokens tokens, string? token, Guid grantId, string email)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return await tokens.ValidateAsync(Purpose, token) is { } valid && valid.Subject == Subject(grantId, email);
    }

    /// <summary>
    /// The link the web vault opens (§4.7, as Vaultwarden mails it):
    /// <c>{vault}/#/accept-emergency?id=…&amp;name=…&amp;email=…&amp;token=…</c>, <c>name</c> being the grantor's name or e-mail.
    /// </summary>
    public static string Link(string vaultUrl, EmergencyAccessGrant grant, string grantorName, string token)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var query = string.Join('&',
            "id=" + grant.Id.ToString("D"),
            "name=" + Uri.EscapeDataString(grantorName),
            "email=" + Uri.EscapeDataString(grant.Email),
            "token=" + Uri.EscapeDataString(token));
        return $"{vaultUrl}/#/accept-emergency?{query}";
    }

    /// <summary>
    /// Called in the transaction that creates <paramref name="user"/>, as organizations do
    /// (<c>OrganizationInvitations.AcceptOnRegistrationAsync</c>): each grant still Invited for this address gets the
    /// account and becomes Accepted. The grantor still has to confirm it, after checking the fingerprint phrase.
    /// </summary>
    public static async Task AcceptOnRegistrationAsync(CofferDb db, User user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(user);
        var pending = await db.EmergencyAccessGrants
            .Where(g => g.Email == user.Email && g.GranteeId == null && g.Status == EmergencyAccessStatus.Invited).ToListAsync(ct);
        foreach (var grant in pending)
        {
            grant.GranteeId = user.Id;
            grant.Status = EmergencyAccessStatus.Accepted;
            grant.RevisionDate = user.CreationDate;
        }
    }

    private static string Subject(Guid grantId, string email) => $"{grantId:D}/{email}";
}
